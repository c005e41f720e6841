package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.keys.CrossSigningHandler;
import org.hearth.core.keys.KeysHandler;
import org.hearth.core.sync.DeviceListStream;
import org.hearth.core.sync.SyncHandler;
import org.hearth.core.sync.SyncToken;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "End-to-End Encryption": key management and cross-signing; mounted at /_matrix/client. */
public final class KeysRoutes implements HttpService {
    /** Spec: "10 seconds is the recommended default" for waiting on remote servers. */
    private static final long DEFAULT_TIMEOUT_MS = 10_000;

    private final Authenticator auth;
    private final JsonBody bodies;
    private final KeysHandler keys;
    private final CrossSigningHandler crossSigning;
    private final DeviceListStream deviceLists;
    private final SyncHandler sync;

    public KeysRoutes(Authenticator auth, JsonBody bodies, KeysHandler keys, CrossSigningHandler crossSigning,
                      DeviceListStream deviceLists, SyncHandler sync) {
        this.auth = auth;
        this.bodies = bodies;
        this.keys = keys;
        this.crossSigning = crossSigning;
        this.deviceLists = deviceLists;
        this.sync = sync;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/keys/upload", on(Method.POST, this::upload));
        route(rules, "/keys/query", on(Method.POST, this::query));
        route(rules, "/keys/claim", on(Method.POST, this::claim));
        route(rules, "/keys/changes", on(Method.GET, this::changes));
        route(rules, "/keys/signatures/upload", on(Method.POST, this::uploadSignatures));
        // Added in v1.1, after r0: v3 only, as Synapse.
        rules.route(Method.POST, "/v3/keys/device_signing/upload", this::uploadSigningKeys);
        rules.any("/v3/keys/device_signing/upload", MatrixErrors::wrongMethod);
    }

    private void upload(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        if (who.deviceId() == null) {
            // An appservice acting without device_id (spec: such operations fail); Synapse's answer.
            throw new MatrixException(ErrorCode.UNKNOWN, "To upload keys, you must pass device_id when authenticating");
        }
        Map<String, Long> counts = keys.upload(who.userId(), who.deviceId(), bodies.read(req));
        var out = Json.objectBuilder();
        counts.forEach(out::add);
        Reply.json(res, 200, Json.objectBuilder().add("one_time_key_counts", out).build());
    }

    private void query(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject body = bodies.read(req);
        if (!(body.get("device_keys") instanceof JsonObject deviceKeys)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'device_keys' must be a JSON object");
        }
        Map<String, List<String>> request = new LinkedHashMap<>();
        deviceKeys.forEach((user, devices) -> {
            if (!(devices instanceof jakarta.json.JsonArray list) || !list.stream().allMatch(d -> d instanceof JsonString)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "'device_keys' values must be a list of strings");
            }
            List<String> ids = new ArrayList<>();
            list.forEach(d -> ids.add(((JsonString) d).getString()));
            request.put(user, ids);
        });
        Reply.json(res, 200, keys.query(who.userId(), request, timeout(body)));
    }

    private void claim(ServerRequest req, ServerResponse res) {
        auth.require(req);
        JsonObject body = bodies.read(req);
        if (!(body.get("one_time_keys") instanceof JsonObject oneTimeKeys)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'one_time_keys' must be a JSON object");
        }
        Map<UserId, Map<String, String>> request = new LinkedHashMap<>();
        oneTimeKeys.forEach((user, byDevice) -> {
            if (!(byDevice instanceof JsonObject devices)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "one_time_keys." + user + " must be an object");
            }
            Map<String, String> algorithms = new LinkedHashMap<>();
            devices.forEach((device, algorithm) -> {
                if (!(algorithm instanceof JsonString a)) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "one_time_keys." + user + "." + device + " must be an algorithm name");
                }
                algorithms.put(device, a.getString());
            });
            request.put(UserId.parse(user), algorithms);
        });
        Reply.json(res, 200, keys.claim(request, timeout(body)));
    }

    private void changes(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String from = ClientPaths.query(req, "from");
        if (from == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "Missing 'from' parameter");
        }
        // Synapse does not insist on `to` either: without it, changes up to now.
        String to = ClientPaths.query(req, "to");
        var changes = deviceLists.changes(who.userId(), SyncToken.parse(from), to == null ? sync.current() : SyncToken.parse(to));
        Reply.json(res, 200, Json.objectBuilder()
                .add("changed", Json.arrayBuilder(changes.changed()))
                .add("left", Json.arrayBuilder(changes.left())).build());
    }

    private void uploadSigningKeys(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        crossSigning.uploadSigningKeys(who.userId(), bodies.read(req), who.appService() != null);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void uploadSignatures(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        Reply.json(res, 200, crossSigning.uploadSignatures(who.userId(), bodies.read(req)));
    }

    private static long timeout(JsonObject body) {
        JsonValue timeout = body.get("timeout");
        if (timeout == null || timeout == JsonValue.NULL) {
            return DEFAULT_TIMEOUT_MS;
        }
        if (!(timeout instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 0) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'timeout' must be a non-negative integer");
        }
        return n.longValue();
    }
}
