package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Room participation" ({@code GET /rooms/{roomId}/timestamp_to_event}); mounted at
 * /_matrix/client/v1. Only events the requester may see under history visibility are candidates.
 */
public final class EventByTimestampRoutes implements HttpService {
    private final Authenticator auth;
    private final Rooms rooms;
    private final RoomAccess access;

    public EventByTimestampRoutes(Authenticator auth, Rooms rooms) {
        this.auth = auth;
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/rooms/{roomId}/timestamp_to_event", this::closest)
                .any("/rooms/{roomId}/timestamp_to_event", MatrixErrors::wrongMethod);
    }

    private void closest(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String rawTs = ClientPaths.query(req, "ts");
        String dir = ClientPaths.query(req, "dir");
        if (rawTs == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "ts is required");
        }
        if (dir == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "dir is required");
        }
        long ts;
        try {
            ts = Long.parseLong(rawTs);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "ts must be an integer");
        }
        if (!dir.equals("f") && !dir.equals("b")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "dir must be f or b");
        }
        RoomId room = access.room(req);
        access.requireHistoryAccess(room, who);
        HistoryVisibility.Viewer viewer = access.visibility().viewer(room, who.userId());
        StoredEvent event = rooms.eventsByTime().closest(room, ts, dir.equals("f"), viewer::canSee)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unable to find event from " + ts
                        + " in " + (dir.equals("f") ? "forward" : "backward") + " direction"));
        Reply.json(res, 200, Json.objectBuilder().add("event_id", event.eventId())
                .add("origin_server_ts", event.pdu().originServerTs()).build());
    }
}
