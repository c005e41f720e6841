package org.hearth.core.port;

import io.helidon.dbclient.DbExecute;
import java.util.List;
import java.util.function.Function;
import org.hearth.core.room.StoredEvent;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.room.RoomVersion;

/**
 * Told inside the room engine's commit transaction, after a batch of events is written and before the room's
 * lock and stream position are released: push actions recorded here commit with the events, so the /sync that
 * first shows an event already counts it. Must be cheap (it runs under the room's lock) and use only {@code tx}
 * for the database; an exception rolls the batch back.
 */
public interface EventPushActions {
    EventPushActions NONE = (tx, room, version, events, currentState) -> { };

    /**
     * @param events       the batch, in stream order
     * @param currentState the room's state after the batch: the event of each state key, or null
     */
    void persisting(DbExecute tx, RoomId room, RoomVersion version, List<StoredEvent> events,
                    Function<StateKey, Pdu> currentState);

    /**
     * The same, before the batch's own rows are written: inserts may go to {@code writes}, which the engine sends
     * with the events' rows in one round trip; reads and anything else go to {@code tx}. Announcements must wait
     * for the commit ({@code Database.afterCommit}): the engine may still roll back after this.
     */
    default void persisting(DbExecute tx, org.hearth.core.storage.RoundTrip writes, RoomId room, RoomVersion version,
                            List<StoredEvent> events, Function<StateKey, Pdu> currentState) {
        persisting(tx, room, version, events, currentState);
    }
}
