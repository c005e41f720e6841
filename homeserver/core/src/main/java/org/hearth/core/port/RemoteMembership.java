package org.hearth.core.port;

import jakarta.json.JsonObject;
import java.util.List;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Membership changes that need another server (set by federation): joining, leaving and knocking on rooms this
 * server is not resident in, inviting users of other servers.
 */
public interface RemoteMembership {
    RemoteMembership NONE = new RemoteMembership() {
        @Override
        public void join(UserId user, RoomId room, List<String> servers, JsonObject content) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + room.value());
        }

        @Override
        public void leave(UserId user, RoomId room, List<String> servers, JsonObject content) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + room.value());
        }

        @Override
        public void knock(UserId user, RoomId room, List<String> servers, JsonObject content) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + room.value());
        }

        @Override
        public void invite(RoomId room, UserId sender, UserId invitee, JsonObject content) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Cannot invite users of other servers");
        }
    };

    /** Joins {@code user} to a room this server is not in, through one of {@code servers}. */
    void join(UserId user, RoomId room, List<String> servers, JsonObject content);

    /** Leaves a room this server is not resident in (rejects an invite, rescinds a knock) through one of {@code servers}. */
    void leave(UserId user, RoomId room, List<String> servers, JsonObject content);

    /** Knocks on a room this server is not resident in through one of {@code servers}. */
    void knock(UserId user, RoomId room, List<String> servers, JsonObject content);

    /** Invites a user of another server: their server co-signs the invite before it is persisted here. */
    void invite(RoomId room, UserId sender, UserId invitee, JsonObject content);
}
