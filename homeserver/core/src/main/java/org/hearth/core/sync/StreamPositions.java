package org.hearth.core.sync;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.HashMap;
import java.util.Map;
import org.hearth.core.storage.Database;

/**
 * The durable streams' positions (table {@code stream_positions}). {@link #advance} runs inside the writer's
 * transaction and holds the stream's row lock until commit, so writers of one stream commit in position order
 * and a reader that sees position N sees every row at or below N.
 */
final class StreamPositions {
    static final String ACCOUNT_DATA = "account_data";
    static final String RECEIPTS = "receipts";
    static final String PRESENCE = "presence";
    static final String TO_DEVICE = "to_device";
    static final String DEVICE_LISTS = "device_lists";

    private final Database database;

    StreamPositions(Database database) {
        this.database = database;
    }

    // The committed positions of each database, read once and then moved forward by each commit that advanced
    // one: every sync and wake asks for them, and only this process writes them.
    private static final Map<Database, Map<String, Long>> COMMITTED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    static long advance(Database database, DbExecute tx, String stream) {
        long updated = tx.createNamedUpdate("streams-advance").addParam("stream", stream).execute();
        if (updated != 1) {
            throw new IllegalStateException("no stream_positions row for " + stream);
        }
        long position = tx.namedGet("streams-last-id").map(row -> longColumn(row, "id"))
                .orElseThrow(() -> new IllegalStateException("LAST_INSERT_ID() answered nothing"));
        // Writers of a stream commit in position order (the row lock), so once N committed all below N did.
        Database.afterCommit(() -> committed(database).merge(stream, position, Math::max));
        return position;
    }

    private static Map<String, Long> committed(Database database) {
        return COMMITTED.computeIfAbsent(database, d -> {
            Map<String, Long> out = new java.util.concurrent.ConcurrentHashMap<>();
            d.execute().namedQuery("streams-positions")
                    .forEach(row -> out.put(row.column("stream").get(String.class), longColumn(row, "position")));
            return out;
        });
    }

    Map<String, Long> current() {
        return new HashMap<>(committed(database));
    }

    static long longColumn(DbRow row, String name) {
        return row.column(name).get(Number.class).longValue();
    }
}
