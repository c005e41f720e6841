package org.hearth.server.appservice;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;
import org.hearth.core.appservice.AppService;
import org.hearth.core.appservice.AppServiceQueue;
import org.hearth.core.appservice.AppServices;
import org.hearth.core.room.RoomReader;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import java.util.function.Predicate;
import org.hearth.spec.json.Json;

/**
 * The Client-Server endpoints of application services: {@code POST /v1/appservice/{appserviceId}/ping},
 * {@code PUT /v3/directory/list/appservice/{networkId}/{roomId}}, and the exclusive-alias check placed in front of
 * {@code PUT /directory/room/{roomAlias}} (it passes the request on when the alias is free to take).
 */
public final class AppServiceRoutes {
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(10);

    private final TokenAuthenticator auth;
    private final JsonBody body;
    private final AppServices appServices;
    private final AppServiceQueue queue;
    private final RoomReader reader;
    private final AppServiceQueries queries;
    private final Predicate<UserId> userExists;
    private final Predicate<RoomAlias> aliasExists;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PING_TIMEOUT).build();

    public AppServiceRoutes(TokenAuthenticator auth, JsonBody body, AppServices appServices, AppServiceQueue queue,
                            RoomReader reader, AppServiceQueries queries, Predicate<UserId> userExists,
                            Predicate<RoomAlias> aliasExists) {
        this.queries = queries;
        this.userExists = userExists;
        this.aliasExists = aliasExists;
        this.auth = auth;
        this.body = body;
        this.appServices = appServices;
        this.queue = queue;
        this.reader = reader;
    }

    /** Under {@code /_matrix/client/v1}. */
    public HttpService v1() {
        return rules -> rules.post("/appservice/{appserviceId}/ping", this::ping)
                .any("/appservice/{appserviceId}/ping", MatrixErrors::wrongMethod);
    }

    /** Under {@code /_matrix/client/v3} and r0, registered before the directory routes. */
    public HttpService v3() {
        return rules -> rules.put("/directory/list/appservice/{networkId}/{roomId}", this::list)
                .any("/directory/list/appservice/{networkId}/{roomId}", MatrixErrors::wrongMethod)
                .put("/directory/room/{roomAlias}", this::checkAlias)
                .get("/directory/room/{roomAlias}", (req, res) -> queryAlias(req, res, "roomAlias"))
                .post("/join/{roomIdOrAlias}", (req, res) -> queryAlias(req, res, "roomIdOrAlias"))
                .get("/profile/{userId}", this::queryUser)
                .get("/profile/{userId}/{field}", this::queryUser);
    }

    /**
     * Spec "Querying": an alias unknown here but in an appservice's aliases namespace is asked of that appservice
     * (which creates it while answering) before the directory or join route resolves it.
     */
    private void queryAlias(ServerRequest req, ServerResponse res, String param) {
        Optional<RoomAlias> alias = RoomAlias.tryParse(req.path().pathParameters().get(param));
        if (alias.isPresent() && !appServices.isEmpty() && !aliasExists.test(alias.get())) {
            for (AppService as : appServices.all()) {
                if (as.isInterestedInAlias(alias.get().value()) && queries.queryAlias(as, alias.get().value())) {
                    break;
                }
            }
        }
        res.next();
    }

    /** The same for a user unknown here in a users namespace, before a profile lookup. */
    private void queryUser(ServerRequest req, ServerResponse res) {
        UserId.tryParse(req.path().pathParameters().get("userId")).ifPresent(this::queryUnknownUser);
        res.next();
    }

    /**
     * A user unknown here but in an appservice's users namespace is asked of that appservice (which registers it
     * while answering), as Synapse does before a profile lookup or an invite.
     */
    public void queryUnknownUser(UserId user) {
        if (!appServices.isEmpty() && !userExists.test(user)) {
            for (AppService as : appServices.interestedInUser(user.value())) {
                if (queries.queryUser(as, user.value())) {
                    break;
                }
            }
        }
    }

    private AppService appService(ServerRequest req) {
        auth.require(req);
        return auth.appService(req).orElseThrow(() -> new MatrixException(ErrorCode.FORBIDDEN,
                "Provided access token is not the appservice's as_token"));
    }

    private void ping(ServerRequest req, ServerResponse res) {
        AppService as = appService(req);
        if (!as.id().equals(req.path().pathParameters().get("appserviceId"))) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Provided access token is not the appservice's as_token");
        }
        JsonObject request = body.read(req);
        Optional<String> txnId = Json.optionalString(request, "transaction_id");
        if (as.url() == null) {
            throw new MatrixException(ErrorCode.URL_NOT_SET, "Application service doesn't have a URL configured");
        }
        var out = Json.objectBuilder();
        txnId.ifPresent(t -> out.add("transaction_id", t));
        var call = HttpRequest.newBuilder(URI.create(as.url() + "/_matrix/app/v1/ping"))
                .timeout(PING_TIMEOUT)
                .header("Authorization", "Bearer " + as.hsToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(out.build().toString()))
                .build();
        long start = System.nanoTime();
        HttpResponse<String> response;
        try {
            response = http.send(call, HttpResponse.BodyHandlers.ofString());
        } catch (HttpConnectTimeoutException e) {
            throw new MatrixException(ErrorCode.CONNECTION_TIMEOUT, "Connection to application service timed out");
        } catch (HttpTimeoutException e) {
            throw new MatrixException(ErrorCode.CONNECTION_TIMEOUT, "Connection to application service timed out");
        } catch (IOException e) {
            throw new MatrixException(ErrorCode.CONNECTION_FAILED, "Connection to application service failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(ErrorCode.CONNECTION_FAILED, "Connection to application service failed");
        }
        long durationMs = (System.nanoTime() - start) / 1_000_000;
        if (response.statusCode() / 100 != 2) {
            Reply.json(res, 502, Json.objectBuilder()
                    .add("errcode", ErrorCode.BAD_STATUS.errcode())
                    .add("error", "Ping returned status " + response.statusCode())
                    .add("status", response.statusCode())
                    .add("body", response.body())
                    .build());
            return;
        }
        Reply.json(res, 200, Json.objectBuilder().add("duration_ms", durationMs).build());
    }

    private void list(ServerRequest req, ServerResponse res) {
        AppService as = appService(req);
        String networkId = req.path().pathParameters().get("networkId");
        String rawRoom = req.path().pathParameters().get("roomId");
        RoomId room = RoomId.tryParse(rawRoom)
                .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid room ID " + rawRoom));
        String visibility = Json.requiredString(body.read(req), "visibility");
        if (!visibility.equals("public") && !visibility.equals("private")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "visibility must be 'public' or 'private'");
        }
        if (reader.version(room).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + room.value());
        }
        queue.listRoom(as.id(), networkId, room.value(), visibility.equals("public"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    /**
     * Spec: an alias in an appservice's exclusive namespace is refused to everyone else, and an appservice may only
     * create aliases in its own namespaces ({@code M_EXCLUSIVE}, as Synapse); otherwise on to the directory route.
     */
    private void checkAlias(ServerRequest req, ServerResponse res) {
        Optional<RoomAlias> alias = RoomAlias.tryParse(req.path().pathParameters().get("roomAlias"));
        if (alias.isPresent() && !appServices.isEmpty()) {
            Requester who = auth.require(req);
            String value = alias.get().value();
            if (who.appService() != null) {
                if (!who.appService().isInterestedInAlias(value)) {
                    throw new MatrixException(ErrorCode.EXCLUSIVE,
                            "This application service has not reserved this kind of alias.");
                }
            } else if (appServices.exclusiveOwnerOfAlias(value).isPresent()) {
                throw new MatrixException(ErrorCode.EXCLUSIVE, "This alias is reserved by an application service.");
            }
        }
        res.next();
    }
}
