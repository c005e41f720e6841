package org.hearth.core.port;

import io.helidon.dbclient.DbExecute;
import java.util.List;
import java.util.Set;
import org.hearth.core.room.StoredEvent;
import org.hearth.spec.id.RoomId;

/**
 * The federation outbox, written in the room engine's commit transaction: a local event is queued for the other
 * servers of its room in the same commit that stores it, so no crash between the two can keep it from them.
 */
public interface OutboundPdus {
    OutboundPdus NONE = new OutboundPdus() {
        @Override
        public Set<String> destinations(RoomId room) {
            return Set.of();
        }

        @Override
        public void persisting(DbExecute tx, Set<String> destinations, List<StoredEvent> events) { }
    };

    /** Before the commit's transaction (no connection held, may read): the other servers joined to {@code room}. */
    Set<String> destinations(RoomId room);

    /**
     * Inside the commit's transaction: queues the locally created {@code events} for {@code destinations} (and the
     * servers of remote users whose membership they change). Uses only {@code tx}; an exception rolls it all back.
     */
    void persisting(DbExecute tx, Set<String> destinations, List<StoredEvent> events);

    /**
     * The same, with inserts added to {@code writes}, which the engine sends with the events' own rows in one
     * round trip; the commit may still roll back after this.
     */
    default void persisting(DbExecute tx, org.hearth.core.storage.RoundTrip writes, Set<String> destinations,
                            List<StoredEvent> events) {
        persisting(tx, destinations, events);
    }
}
