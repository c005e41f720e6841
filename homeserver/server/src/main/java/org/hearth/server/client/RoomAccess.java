package org.hearth.server.client;

import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** Parsing of path and body values shared by the room routes, and which state a requester may read. */
final class RoomAccess {
    private final Rooms rooms;
    private final HistoryVisibility visibility;

    RoomAccess(Rooms rooms) {
        this.rooms = rooms;
        this.visibility = new HistoryVisibility(rooms.reader());
    }

    HistoryVisibility visibility() {
        return visibility;
    }

    static String path(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    static Optional<String> query(ServerRequest req, String name) {
        return req.query().first(name).asOptional();
    }

    /** A known room ({@code M_NOT_FOUND} otherwise). */
    RoomId room(ServerRequest req) {
        String raw = path(req, "roomId");
        RoomId room = RoomId.tryParse(raw).orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + raw));
        if (rooms.reader().version(room).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + raw);
        }
        return room;
    }

    /** A room ID, or a local alias resolved to one; {@code M_NOT_FOUND} when neither is known. */
    RoomId roomOrAlias(String raw) {
        if (raw.startsWith("#")) {
            RoomAlias alias = RoomAlias.tryParse(raw)
                    .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid room alias " + raw));
            return rooms.aliases().resolve(alias).map(org.hearth.core.room.RoomAliases.Entry::roomId)
                    .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Room alias " + raw + " not found"));
        }
        RoomId room = RoomId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid room ID or alias " + raw));
        if (rooms.reader().version(room).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + raw);
        }
        return room;
    }

    /**
     * The state the requester may read: the current state while joined, the state when they left for a former
     * member, the current state of a world-readable room; else {@code M_FORBIDDEN}.
     */
    Map<StateKey, String> readableState(RoomId room, Requester who) {
        RoomReader reader = rooms.reader();
        Optional<Membership> membership = reader.membership(room, who.userId());
        if (membership.isPresent() && membership.get().membership().equals(Membership.JOIN)) {
            return reader.currentStateIds(room);
        }
        if (visibility.worldReadable(room)) {
            return reader.currentStateIds(room);
        }
        if (membership.isPresent() && (membership.get().membership().equals(Membership.LEAVE)
                || membership.get().membership().equals(Membership.BAN))) {
            Optional<StoredEvent> left = reader.event(membership.get().eventId());
            if (left.isPresent() && wasEverJoined(left.get(), who.userId())) {
                return reader.stateIdsAfter(left.get());
            }
        }
        throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a member of this room");
    }

    private boolean wasEverJoined(StoredEvent leave, UserId user) {
        String before = rooms.reader().stateIdsBefore(leave).get(StateKey.of("m.room.member", user.value()));
        return before != null && rooms.reader().event(before)
                .map(e -> Membership.JOIN.equals(e.pdu().content().getString("membership", ""))).orElse(false);
    }

    /** Whether the requester may page through the room's history at all (per-event checks still apply). */
    void requireHistoryAccess(RoomId room, Requester who) {
        if (rooms.reader().membership(room, who.userId()).isEmpty() && !visibility.worldReadable(room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a member of this room");
        }
    }

    static String optionalString(JsonObject body, String key) {
        JsonValue v = body.get(key);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        throw new MatrixException(ErrorCode.BAD_JSON, key + " must be a string");
    }

    static JsonObject optionalObject(JsonObject body, String key) {
        JsonValue v = body.get(key);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (v instanceof JsonObject o) {
            return o;
        }
        throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an object");
    }

    static List<JsonValue> optionalArray(JsonObject body, String key) {
        JsonValue v = body.get(key);
        if (v == null || v == JsonValue.NULL) {
            return List.of();
        }
        if (v instanceof JsonArray a) {
            return new ArrayList<>(a);
        }
        throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an array");
    }

    static UserId userId(String raw) {
        return UserId.tryParse(raw).orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid user ID " + raw));
    }
}
