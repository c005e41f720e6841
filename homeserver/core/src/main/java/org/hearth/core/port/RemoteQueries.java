package org.hearth.core.port;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.hearth.core.profile.Profile;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Questions for another server (spec: Server-Server API, "Querying for information"): what room its alias names,
 * its user's profile. Implemented by the federation module; {@code M_NOT_FOUND} when the answer is that there is none.
 */
public interface RemoteQueries {
    RemoteQueries NONE = new RemoteQueries() {
        @Override
        public RoomAddress alias(RoomAlias alias) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Room alias " + alias.value() + " not found");
        }

        @Override
        public Profile profile(UserId user) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Profile not found");
        }

        @Override
        public Optional<JsonObject> spaceRoom(RoomId room, List<String> via) {
            return Optional.empty();
        }
    };

    /** A room and servers that can be asked to join it. */
    record RoomAddress(RoomId room, List<String> servers) {}

    RoomAddress alias(RoomAlias alias);

    Profile profile(UserId user);

    /**
     * The {@code room} of a federation {@code /hierarchy} answer (its summary with {@code children_state}) from the
     * first of {@code via} that gives one; empty when none does.
     */
    Optional<JsonObject> spaceRoom(RoomId room, List<String> via);

    /** An event of a room another server named, with its {@code origin_server_ts}. */
    record TimedEvent(String eventId, long originServerTs) {}

    /**
     * The event closest to {@code ts} ({@code forward}: at or after it, else at or before) by the first of
     * {@code servers} that names one that checks out (fetched, signatures and room verified); empty when none does
     * (spec: federation {@code /timestamp_to_event}).
     */
    default Optional<TimedEvent> closestEvent(RoomId room, long ts, boolean forward, List<String> servers) {
        return Optional.empty();
    }
}
