package org.hearth.core.port;

import java.util.List;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** Joins a local user to a room this server is not in, through one of {@code servers} (set by federation). */
public interface RemoteJoins {
    RemoteJoins NONE = (user, room, servers, content) -> {
        throw new org.hearth.spec.error.MatrixException(org.hearth.spec.error.ErrorCode.NOT_FOUND,
                "Unknown room " + room.value());
    };

    void join(UserId user, RoomId room, List<String> servers, jakarta.json.JsonObject content);
}
