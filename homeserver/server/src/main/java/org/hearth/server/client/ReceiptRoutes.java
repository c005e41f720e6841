package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.room;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Optional;
import org.hearth.core.sync.ReceiptStream;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.EventId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Receipts" and "Fully read markers"; mounted at /_matrix/client. */
public final class ReceiptRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final ReceiptStream receipts;

    public ReceiptRoutes(Authenticator auth, JsonBody bodies, ReceiptStream receipts) {
        this.auth = auth;
        this.bodies = bodies;
        this.receipts = receipts;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/rooms/{roomId}/receipt/{receiptType}/{eventId}", on(Method.POST, this::receipt));
        route(rules, "/rooms/{roomId}/read_markers", on(Method.POST, this::readMarkers));
    }

    private void receipt(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        var room = room(req);
        EventId event = EventId.parse(param(req, "eventId"));
        // The body is optional for older clients (r0 sent none); when present it must be an object.
        JsonObject body = req.content().hasEntity() ? bodies.read(req) : JsonValue.EMPTY_JSON_OBJECT;
        Optional<String> thread = Json.optionalString(body, "thread_id");
        if (thread.isPresent() && thread.get().isEmpty()) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "thread_id field must be a non-empty string");
        }
        receipts.receipt(who.userId(), room, param(req, "receiptType"), event, thread);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void readMarkers(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        var room = room(req);
        JsonObject body = bodies.read(req);
        receipts.readMarkers(who.userId(), room, event(body, ReceiptStream.FULLY_READ), event(body, ReceiptStream.READ),
                event(body, ReceiptStream.READ_PRIVATE));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private static Optional<EventId> event(JsonObject body, String key) {
        return Json.optionalString(body, key).map(EventId::parse);
    }
}
