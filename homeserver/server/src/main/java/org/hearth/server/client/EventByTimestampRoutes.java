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
    private final String serverName;
    private final RoomAccess access;

    public EventByTimestampRoutes(Authenticator auth, Rooms rooms, String serverName) {
        this.serverName = serverName;
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
        var local = rooms.eventsByTime().closest(room, ts, dir.equals("f"), viewer::canSee);
        if (local.isPresent()) {
            Reply.json(res, 200, Json.objectBuilder().add("event_id", local.get().eventId())
                    .add("origin_server_ts", local.get().pdu().originServerTs()).build());
            return;
        }
        // As Synapse: nothing here (e.g. history from before this server joined), so the room's other servers.
        var remote = rooms.remoteQueries().closestEvent(room, ts, dir.equals("f"), otherServers(room));
        if (remote.isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unable to find event from " + ts + " in "
                    + (dir.equals("f") ? "forward" : "backward") + " direction");
        }
        Reply.json(res, 200, Json.objectBuilder().add("event_id", remote.get().eventId())
                .add("origin_server_ts", remote.get().originServerTs()).build());
    }

    /** The other servers with a member joined to {@code room}, most members first. */
    private java.util.List<String> otherServers(RoomId room) {
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        for (var m : rooms.reader().members(room)) {
            if (m.membership().equals(org.hearth.core.room.Membership.JOIN)) {
                org.hearth.spec.id.UserId.tryParse(m.userId()).map(org.hearth.spec.id.UserId::domain)
                        .filter(d -> !d.equals(serverName)).ifPresent(d -> counts.merge(d, 1, Integer::sum));
            }
        }
        return counts.entrySet().stream().sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed())
                .map(java.util.Map.Entry::getKey).toList();
    }
}
