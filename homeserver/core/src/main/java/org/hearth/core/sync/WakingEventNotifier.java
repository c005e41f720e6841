package org.hearth.core.sync;

import java.util.Set;
import org.hearth.core.port.EventNotifier;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * The room engine's {@link EventNotifier} for the sync streams: wakes this server's users joined to the room and
 * those whose membership the events changed (an invitee, a kicked or leaving user is not, or no longer, joined).
 * Bound to the {@link Notifier} after construction, because the notifier's membership port reads the same room
 * engine that calls this; events committed before binding wake nobody (nobody can be waiting yet).
 */
public final class WakingEventNotifier implements EventNotifier {
    private volatile Notifier notifier;

    public void bind(Notifier notifier) {
        this.notifier = notifier;
    }

    @Override
    public void eventsPersisted(RoomId room, long position, Set<UserId> membershipChanged) {
        Notifier target = notifier;
        if (target != null) {
            target.notifyRoom(room);
            target.notifyUsers(membershipChanged);
        }
    }
}
