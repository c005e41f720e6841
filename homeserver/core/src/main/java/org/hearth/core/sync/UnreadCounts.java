package org.hearth.core.sync;

import java.util.Map;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Port: a user's unread notification counts (spec: "Receiving notifications", threaded ones in "Threading"),
 * answered by the push module from the push actions not yet passed by a read receipt.
 */
public interface UnreadCounts {
    /** Thread ID of events outside threads, as in threaded receipts. */
    String MAIN = "main";

    UnreadCounts NONE = user -> Map.of();

    /** Per room, per thread ({@link #MAIN} or the thread root's event ID): the non-zero counts only. */
    Map<RoomId, Map<String, Count>> unread(UserId user);

    record Count(long notifications, long highlights) {}
}
