package org.hearth.core.port;

import io.helidon.dbclient.DbExecute;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Told inside the transaction that stores a read receipt ({@code m.read} or {@code m.read.private}), so the
 * unread counts it clears change in the same commit that wakes the user's syncs (spec: "Receiving
 * notifications"). {@code threadId} is empty for an unthreaded receipt.
 */
public interface ReadReceipts {
    ReadReceipts NONE = (tx, user, room, threadId, eventId) -> { };

    void read(DbExecute tx, UserId user, RoomId room, String threadId, String eventId);
}
