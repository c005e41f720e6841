package org.hearth.server.appservice;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.appservice.AppService;
import org.hearth.core.appservice.AppServices;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Spec "Third-party Networks" ({@code /thirdparty/*}): the protocols the appservices registered, and lookups
 * forwarded to every appservice of the protocol ({@code /_matrix/app/v1/thirdparty/...}), their answers merged.
 */
public final class ThirdPartyRoutes implements HttpService {
    private final Authenticator auth;
    private final AppServices appServices;
    private final AppServiceQueries queries;

    public ThirdPartyRoutes(Authenticator auth, AppServices appServices, AppServiceQueries queries) {
        this.auth = auth;
        this.appServices = appServices;
        this.queries = queries;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/thirdparty/protocols", this::protocols)
                .get("/thirdparty/protocol/{protocol}", this::protocol)
                .get("/thirdparty/location/{protocol}", (req, res) -> lookupByProtocol(req, res, "location"))
                .get("/thirdparty/user/{protocol}", (req, res) -> lookupByProtocol(req, res, "user"))
                .get("/thirdparty/location", (req, res) -> reverseLookup(req, res, "location", "alias"))
                .get("/thirdparty/user", (req, res) -> reverseLookup(req, res, "user", "userid"))
                .any("/thirdparty/protocols", MatrixErrors::wrongMethod)
                .any("/thirdparty/protocol/{protocol}", MatrixErrors::wrongMethod)
                .any("/thirdparty/location/{protocol}", MatrixErrors::wrongMethod)
                .any("/thirdparty/user/{protocol}", MatrixErrors::wrongMethod)
                .any("/thirdparty/location", MatrixErrors::wrongMethod)
                .any("/thirdparty/user", MatrixErrors::wrongMethod);
    }

    private List<AppService> serving(String protocol) {
        return appServices.all().stream().filter(a -> a.protocols().contains(protocol)).toList();
    }

    /** Every protocol, its metadata from the first appservice that answers, with all appservices' instances. */
    private void protocols(ServerRequest req, ServerResponse res) {
        auth.require(req);
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (AppService as : appServices.all()) {
            for (String protocol : as.protocols()) {
                if (!out.containsKey(protocol)) {
                    metadata(protocol).ifPresent(m -> out.put(protocol, m));
                }
            }
        }
        var body = Json.objectBuilder();
        out.forEach(body::add);
        Reply.json(res, 200, body.build());
    }

    private void protocol(ServerRequest req, ServerResponse res) {
        auth.require(req);
        String protocol = req.path().pathParameters().get("protocol");
        Reply.json(res, 200, metadata(protocol).orElseThrow(
                () -> new MatrixException(ErrorCode.NOT_FOUND, "No protocol " + protocol)));
    }

    /** Synapse's merge: the first answer's fields, with the instances of every appservice of the protocol. */
    private Optional<JsonObject> metadata(String protocol) {
        JsonObject first = null;
        JsonArrayBuilder instances = Json.arrayBuilder();
        for (AppService as : serving(protocol)) {
            var answer = queries.get(as, "/_matrix/app/v1/thirdparty/protocol/" + AppServiceQueries.enc(protocol));
            if (answer.isEmpty() || !(answer.get() instanceof JsonObject o)) {
                continue;
            }
            if (first == null) {
                first = o;
            }
            if (o.get("instances") instanceof JsonArray list) {
                for (JsonValue instance : list) {
                    if (instance instanceof JsonObject i) {
                        // Synapse marks each instance with the appservice it came from.
                        instances.add(Json.objectBuilder(i).add("instance_id", i.getString("instance_id",
                                as.id() + "|" + i.getString("network_id", ""))).build());
                    }
                }
            }
        }
        if (first == null) {
            return Optional.empty();
        }
        return Optional.of(Json.objectBuilder(first).add("instances", instances).build());
    }

    private void lookupByProtocol(ServerRequest req, ServerResponse res, String kind) {
        auth.require(req);
        String protocol = req.path().pathParameters().get("protocol");
        List<AppService> services = serving(protocol);
        if (services.isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No protocol " + protocol);
        }
        String query = req.query().rawValue();
        String path = "/_matrix/app/v1/thirdparty/" + kind + "/" + AppServiceQueries.enc(protocol)
                + (query == null || query.isEmpty() ? "" : "?" + stripToken(query));
        answer(res, services, path);
    }

    private void reverseLookup(ServerRequest req, ServerResponse res, String kind, String param) {
        auth.require(req);
        String value = req.query().first(param).asOptional().orElseThrow(
                () -> new MatrixException(ErrorCode.MISSING_PARAM, "Missing '" + param + "'"));
        String path = "/_matrix/app/v1/thirdparty/" + kind + "?" + param + "="
                + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
        answer(res, appServices.all().stream().filter(a -> !a.protocols().isEmpty()).toList(), path);
    }

    private void answer(ServerResponse res, List<AppService> services, String path) {
        JsonArrayBuilder out = Json.arrayBuilder();
        for (AppService as : services) {
            queries.get(as, path).ifPresent(v -> {
                if (v instanceof JsonArray list) {
                    list.forEach(out::add);
                }
            });
        }
        res.status(io.helidon.http.Status.OK_200);
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.build().toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The client's access token is not the appservice's business. */
    private static String stripToken(String rawQuery) {
        return String.join("&", java.util.Arrays.stream(rawQuery.split("&"))
                .filter(p -> !p.startsWith("access_token=")).toList());
    }
}
