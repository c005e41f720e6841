package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.hearth.core.room.EventsByTime;
import org.hearth.core.room.StoredEvent;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server API, {@code GET /timestamp_to_event/{roomId}}: the event closest to a time, for a server in
 * the room; mounted at /_matrix/federation/v1.
 */
public final class TimestampRoutes implements HttpService {
    private final FederationAuth auth;
    private final EventsByTime eventsByTime;
    private final RoomAccess access;

    public TimestampRoutes(FederationAuth auth, EventsByTime eventsByTime, RoomAccess access) {
        this.auth = auth;
        this.eventsByTime = eventsByTime;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/timestamp_to_event/{roomId}", auth.authenticated(this::closest))
                .any("/timestamp_to_event/{roomId}", FederationJson::wrongMethod);
    }

    private void closest(ServerRequest req, ServerResponse res, FederationRequest request) {
        String raw = req.path().pathParameters().get("roomId");
        RoomId room = RoomId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + raw));
        String rawTs = req.query().first("ts")
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "ts is required"));
        String dir = req.query().first("dir")
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "dir is required"));
        long ts;
        try {
            ts = Long.parseLong(rawTs);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "ts must be an integer");
        }
        if (!dir.equals("f") && !dir.equals("b")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "dir must be f or b");
        }
        access.checkRead(request.origin(), room);
        StoredEvent event = eventsByTime.closest(room, ts, dir.equals("f"), e -> true)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unable to find event from " + ts
                        + " in " + (dir.equals("f") ? "forward" : "backward") + " direction"));
        FederationJson.reply(res, Json.objectBuilder().add("event_id", event.eventId())
                .add("origin_server_ts", event.pdu().originServerTs()).build());
    }
}
