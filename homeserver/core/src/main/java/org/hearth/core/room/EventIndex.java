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
}
