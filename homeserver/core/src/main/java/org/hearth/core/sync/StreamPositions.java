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

    static long advance(DbExecute tx, String stream) {
        long updated = tx.createNamedUpdate("streams-advance").addParam("stream", stream).execute();
        if (updated != 1) {
            throw new IllegalStateException("no stream_positions row for " + stream);
        }
        return tx.namedGet("streams-last-id").map(row -> longColumn(row, "id"))
                .orElseThrow(() -> new IllegalStateException("LAST_INSERT_ID() answered nothing"));
    }

    Map<String, Long> current() {
        Map<String, Long> out = new HashMap<>();
        database.execute().namedQuery("streams-positions")
                .forEach(row -> out.put(row.column("stream").get(String.class), longColumn(row, "position")));
        return out;
    }

    static long longColumn(DbRow row, String name) {
        return row.column(name).get(Number.class).longValue();
    }
}
