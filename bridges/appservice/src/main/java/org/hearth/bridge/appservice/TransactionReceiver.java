package org.hearth.bridge.appservice;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Homeserver -> Application Service API (spec: Application Service API): transactions (and the legacy
 * unprefixed path), user and alias queries, and ping. Every request must carry the {@code hs_token}: none is 401
 * {@code M_MISSING_TOKEN}, a wrong one 403 {@code M_FORBIDDEN}. Mount at the server root.
 */
public final class TransactionReceiver implements HttpService {
    private static final Logger LOG = System.getLogger(TransactionReceiver.class.getName());
    static final String EPHEMERAL_UNSTABLE = "de.sorunome.msc2409.ephemeral";
    static final String TO_DEVICE_UNSTABLE = "de.sorunome.msc2409.to_device";

    private final Registration registration;
    private final BridgeEvents events;
    private final TransactionLog log;
    // One transaction at a time, in order: a retry racing its own first attempt waits and then finds it done.
    private final ReentrantLock lock = new ReentrantLock();

    public TransactionReceiver(Registration registration, BridgeEvents events, TransactionLog log) {
        this.registration = registration;
        this.events = events;
        this.log = log;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/_matrix/app/v1/transactions/{txnId}", this::transaction)
                .put("/transactions/{txnId}", this::transaction)
                .get("/_matrix/app/v1/users/{userId}", this::queryUser)
                .get("/users/{userId}", this::queryUser)
                .get("/_matrix/app/v1/rooms/{roomAlias}", this::queryAlias)
                .get("/rooms/{roomAlias}", this::queryAlias)
                .post("/_matrix/app/v1/ping", this::ping)
                .get("/_matrix/app/v1/thirdparty/protocol/{protocol}", this::thirdPartyProtocol)
                .get("/_matrix/app/v1/thirdparty/location/{protocol}", (req, res) -> thirdPartyLookup(req, res, false))
                .get("/_matrix/app/v1/thirdparty/user/{protocol}", (req, res) -> thirdPartyLookup(req, res, true))
                .get("/_matrix/app/v1/thirdparty/location", (req, res) -> reverseLookup(req, res, "alias"))
                .get("/_matrix/app/v1/thirdparty/user", (req, res) -> reverseLookup(req, res, "userid"))
                .any("/_matrix/app/{+rest}", (req, res) -> error(res, 404, "M_UNRECOGNIZED", "Unrecognized request"));
    }

    private boolean authorized(ServerRequest req, ServerResponse res) {
        Optional<String> header = req.headers().first(HeaderNames.AUTHORIZATION)
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).strip());
        Optional<String> query = req.query().first("access_token").asOptional();
        if (header.isEmpty() && query.isEmpty()) {
            error(res, 401, "M_MISSING_TOKEN", "Missing hs_token");
            return false;
        }
        // Spec: when both are given they must both match.
        if (!header.map(this::matches).orElse(true) || !query.map(this::matches).orElse(true)) {
            error(res, 403, "M_FORBIDDEN", "Bad hs_token");
            return false;
        }
        return true;
    }

    private boolean matches(String token) {
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8),
                registration.hsToken().getBytes(StandardCharsets.UTF_8));
    }

    private void transaction(ServerRequest req, ServerResponse res) {
        if (!authorized(req, res)) {
            return;
        }
        String txnId = req.path().pathParameters().get("txnId");
        JsonObject body;
        try {
            body = Json.createReader(new StringReader(req.content().as(String.class))).readObject();
        } catch (JsonException | IllegalStateException e) {
            error(res, 400, "M_NOT_JSON", "Transaction body is not a JSON object");
            return;
        }
        lock.lock();
        try {
            if (!log.isDone(txnId)) {
                each(body.get("events"), events::onEvent);
                each(body.containsKey("ephemeral") ? body.get("ephemeral") : body.get(EPHEMERAL_UNSTABLE), events::onEphemeral);
                each(body.get(TO_DEVICE_UNSTABLE), events::onToDevice);
                log.markDone(txnId);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "transaction " + txnId + " failed; the homeserver will retry it", e);
            error(res, 500, "M_UNKNOWN", "Transaction failed: " + e.getMessage());
            return;
        } finally {
            lock.unlock();
        }
        json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private static void each(JsonValue list, java.util.function.Consumer<JsonObject> handler) {
        if (list instanceof JsonArray array) {
            for (JsonValue v : array) {
                if (v instanceof JsonObject o) {
                    handler.accept(o);
                }
            }
        }
    }

    private void queryUser(ServerRequest req, ServerResponse res) {
        if (authorized(req, res)) {
            answer(res, events.queryUser(req.path().pathParameters().get("userId")));
        }
    }

    private void queryAlias(ServerRequest req, ServerResponse res) {
        if (authorized(req, res)) {
            answer(res, events.queryAlias(req.path().pathParameters().get("roomAlias")));
        }
    }

    private static void answer(ServerResponse res, boolean exists) {
        if (exists) {
            json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
        } else {
            error(res, 404, "M_NOT_FOUND", "Not known to this bridge");
        }
    }

    private void thirdPartyProtocol(ServerRequest req, ServerResponse res) {
        if (authorized(req, res)) {
            String protocol = req.path().pathParameters().get("protocol");
            events.thirdPartyProtocol(protocol).ifPresentOrElse(m -> json(res, 200, m),
                    () -> error(res, 404, "M_NOT_FOUND", "No protocol " + protocol));
        }
    }

    /** Spec: the matches, or 404 when there are none (the homeserver then merges the other bridges' answers). */
    private void thirdPartyLookup(ServerRequest req, ServerResponse res, boolean users) {
        if (!authorized(req, res)) {
            return;
        }
        String protocol = req.path().pathParameters().get("protocol");
        if (events.thirdPartyProtocol(protocol).isEmpty()) {
            error(res, 404, "M_NOT_FOUND", "No protocol " + protocol);
            return;
        }
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (String name : req.query().names()) {
            if (!name.equals("access_token")) {
                fields.put(name, req.query().get(name));
            }
        }
        JsonArray found = users ? events.thirdPartyUsers(protocol, fields) : events.thirdPartyLocations(protocol, fields);
        if (found.isEmpty()) {
            error(res, 404, "M_NOT_FOUND", "No results");
        } else {
            json(res, 200, found);
        }
    }

    /** Spec: Matrix alias or user ID to third-party locations or users; 404 when none. */
    private void reverseLookup(ServerRequest req, ServerResponse res, String parameter) {
        if (!authorized(req, res)) {
            return;
        }
        String value = req.query().contains(parameter) ? req.query().get(parameter) : null;
        if (value == null || value.isBlank()) {
            error(res, 400, "M_MISSING_PARAM", "The " + parameter + " query parameter is required");
            return;
        }
        JsonArray found = parameter.equals("alias") ? events.thirdPartyLocationsOf(value) : events.thirdPartyUsersOf(value);
        if (found.isEmpty()) {
            error(res, 404, "M_NOT_FOUND", "No results");
        } else {
            json(res, 200, found);
        }
    }

    private void ping(ServerRequest req, ServerResponse res) {
        if (authorized(req, res)) {
            json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
        }
    }

    static void error(ServerResponse res, int status, String errcode, String message) {
        json(res, status, Json.createObjectBuilder().add("errcode", errcode).add("error", message).build());
    }

    static void json(ServerResponse res, int status, JsonValue body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
