package org.hearth.federation.inbound;

import jakarta.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Redaction;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.federation.ServerAcl;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.room.RoomVersion;

/**
 * Who may read a room over federation: the room's server ACL (spec: "Server Access Control Lists"), a joined member
 * on the requesting server (as Synapse's {@code assert_host_in_room}), and per event the history visibility for
 * servers (Synapse's {@code filter_events_for_server}: events a server may not see go out redacted).
 */
public final class RoomAccess {
    private static final StateKey ACL = StateKey.of("m.room.server_acl", "");
    private static final StateKey VISIBILITY = StateKey.of("m.room.history_visibility", "");

    private final RoomReader reader;
    private final Database database;

    public RoomAccess(RoomReader reader, Database database) {
        this.reader = reader;
        this.database = database;
    }

    /** {@code M_FORBIDDEN} when the room's current server ACL denies {@code origin}. */
    public void checkAcl(String origin, RoomId room) {
        Optional<StoredEvent> acl = reader.currentStateEvent(room, ACL.type(), ACL.stateKey());
        if (acl.isPresent() && !ServerAcl.of(acl.get().pdu().content()).allows(origin)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Server " + origin + " is denied by the room's server ACL");
        }
    }

    /** The room's version after the ACL and host-in-room checks; {@code M_NOT_FOUND} for rooms we do not have. */
    public RoomVersion checkRead(String origin, RoomId room) {
        RoomVersion version = reader.version(room)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Room " + room + " is not known here"));
        checkAcl(origin, room);
        if (!hostInRoom(origin, room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Server " + origin + " is not in room " + room);
        }
        return version;
    }

    /** Whether {@code server} has a member joined to {@code room} now (one indexed range, not the member list). */
    public boolean hostInRoom(String server, RoomId room) {
        String suffix = "%:" + server.replace("!", "!!").replace("%", "!%").replace("_", "!_");
        return database.execute().createNamedGet("federation-host-in-room")
                .addParam("room_id", room.value()).addParam("suffix", suffix).execute().isPresent();
    }

    /**
     * The event as {@code origin} may have it: whole when the history visibility at the event is
     * {@code world_readable} or {@code shared}, or the server had a member joined (or invited, for
     * {@code invited}) then; otherwise redacted. Redacted events are always served redacted.
     */
    public JsonObject pduFor(String origin, RoomVersion version, StoredEvent event) {
        JsonObject json = event.pdu().json();
        if (event.isRedacted() || !visible(origin, event)) {
            return Redaction.redact(version, json);
        }
        return json;
    }

    private boolean visible(String origin, StoredEvent event) {
        Map<StateKey, String> state = reader.stateIdsBefore(event);
        String visibility = content(state.get(VISIBILITY)).getString("history_visibility", "shared");
        if (visibility.equals("world_readable") || visibility.equals("shared")) {
            return true;
        }
        boolean invitedCounts = visibility.equals("invited");
        for (Map.Entry<StateKey, String> e : state.entrySet()) {
            if (e.getKey().type().equals("m.room.member") && domain(e.getKey().stateKey()).equals(origin)) {
                String membership = content(e.getValue()).getString("membership", "");
                if (membership.equals(Membership.JOIN) || (invitedCounts && membership.equals(Membership.INVITE))) {
                    return true;
                }
            }
        }
        return false;
    }

    private JsonObject content(String eventId) {
        if (eventId == null) {
            return JsonObject.EMPTY_JSON_OBJECT;
        }
        return reader.event(eventId).map(e -> e.pdu().content()).orElse(JsonObject.EMPTY_JSON_OBJECT);
    }

    static String domain(String userId) {
        int colon = userId.indexOf(':');
        return colon < 0 ? "" : userId.substring(colon + 1);
    }
}
