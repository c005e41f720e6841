package org.hearth.core.port;

import java.util.Set;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Told after every commit of room events, so waiting syncs wake (implemented by the sync streams). Called outside
 * any room lock and after the position is readable through {@code RoomReader}.
 */
public interface EventNotifier {
    EventNotifier NONE = (room, position, membershipChanged) -> {};

    /**
     * @param position          the stream position of the newest event just persisted in {@code room}
     * @param membershipChanged users whose membership in {@code room} those events changed (joins, invites, leaves...)
     */
    void eventsPersisted(RoomId room, long position, Set<UserId> membershipChanged);
}
