package org.hearth.core.room;

import io.helidon.dbclient.DbExecute;

/**
 * Tables derived from events (relations, search text) that are written in the transaction that persists the
 * event, so a read never sees the event without them, nor them after its redaction committed.
 */
public interface EventIndex {
    EventIndex NONE = (tx, event, redacts) -> { };

    /** {@code event} is being persisted in {@code tx}; {@code redacts}: the event it redacts, if a redaction. */
    void persisted(DbExecute tx, StoredEvent event, String redacts);

    /**
     * Several events of one commit, in order; {@code redacts} one entry (or null) per event. Writes may go to
     * {@code writes}, sent after the events' own rows in one round trip, or straight to {@code tx}.
     */
    default void persisted(DbExecute tx, org.hearth.core.storage.RoundTrip writes, java.util.List<StoredEvent> events,
                           java.util.List<String> redacts) {
        for (int i = 0; i < events.size(); i++) {
            persisted(tx, events.get(i), redacts.get(i));
        }
    }
}
