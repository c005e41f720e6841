package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.report.ContentReports;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Reporting content"; mounted at /_matrix/client. */
public final class ReportRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final ContentReports reports;

    public ReportRoutes(Authenticator auth, JsonBody bodies, ContentReports reports) {
        this.auth = auth;
        this.bodies = bodies;
        this.reports = reports;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/rooms/{roomId}/report/{eventId}", on(Method.POST, this::reportEvent));
        // Room (v1.13) and user (v1.14) reports came after r0.
        rules.post("/v3/rooms/{roomId}/report", this::reportRoom)
                .any("/v3/rooms/{roomId}/report", MatrixErrors::wrongMethod)
                .post("/v3/users/{userId}/report", this::reportUser)
                .any("/v3/users/{userId}/report", MatrixErrors::wrongMethod);
    }

    private void reportEvent(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject body = bodies.read(req);
        String reason = Json.optionalString(body, "reason").orElse(null);
        // Removed in v1.18; older clients still send it, and Synapse's admin API shows it.
        Long score = null;
        JsonValue s = body.get("score");
        if (s != null && s != JsonValue.NULL) {
            if (!(s instanceof JsonNumber)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "'score' must be an integer");
            }
            score = Json.requiredLong(body, "score");
        }
        RoomId room = RoomId.tryParse(param(req, "roomId")).orElseThrow(ReportRoutes::eventNotFound);
        reports.reportEvent(who.userId(), room, param(req, "eventId"), reason, score);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private static MatrixException eventNotFound() {
        return new MatrixException(ErrorCode.NOT_FOUND, "The event was not found or you are not joined to the room");
    }

    private void reportRoom(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String reason = Json.requiredString(bodies.read(req), "reason");
        RoomId room = RoomId.tryParse(param(req, "roomId"))
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "The room was not found"));
        reports.reportRoom(who.userId(), room, reason);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void reportUser(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String reason = Json.requiredString(bodies.read(req), "reason");
        UserId target = RoomAccess.userId(param(req, "userId"));
        reports.reportUser(who.userId(), target, reason);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }
}
