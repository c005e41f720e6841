package org.hearth.core.appservice;

import static org.hearth.core.storage.Rows.str;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.params;
import io.helidon.dbclient.DbRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.hearth.core.storage.Database;

/**
 * The persisted per-appservice transaction queue: how far each appservice has read the event stream, and the
 * transactions built but not yet acknowledged. A transaction's body is stored when it is built, in the same
 * database transaction that moves the read position past its events, so a restart neither loses nor re-queues any.
 */
public final class AppServiceQueue {
    private final Database database;

    public AppServiceQueue(Database database) {
        this.database = database;
    }

    /** A built transaction: its ID (increasing per appservice) and frozen JSON body. */
    public record Transaction(long txnId, String body) {}

    /** A position in the event stream and the last transaction ID used. */
    public record Cursor(long eventPosition, long lastTxnId) {}

    /** An event in the stream: its position, ID and room. */
    public record StreamEvent(long position, String eventId, String roomId) {}

    /** Starts an appservice seen for the first time at {@code position}: it is sent what happens from now on. */
    public Cursor cursor(String appserviceId, long position) {
        database.execute().createNamedInsert("appservice-stream-insert").params(params(
                "appservice_id", appserviceId, "event_position", position)).execute();
        return database.execute().createNamedGet("appservice-stream-get").params(params("appservice_id", appserviceId))
                .execute().map(r -> new Cursor(lng(r, "event_position"), lng(r, "last_txn_id"))).orElseThrow();
    }

    /** Accepted events with {@code from < position <= to}, oldest first, at most {@code limit}. */
    public List<StreamEvent> eventsAfter(long from, long to, int limit) {
        List<StreamEvent> out = new ArrayList<>();
        try (Stream<DbRow> rows = database.execute().createNamedQuery("appservice-events-after")
                .params(params("from_pos", from, "to_pos", to, "lim", limit)).execute()) {
            rows.forEach(r -> out.add(new StreamEvent(lng(r, "stream_ordering"), str(r, "event_id"), str(r, "room_id"))));
        }
        return out;
    }

    /**
     * Moves the read position to {@code position}; with a body, queues it as the next transaction in the same
     * database transaction. The new cursor.
     */
    public Cursor advance(String appserviceId, Cursor from, long position, String body, long now) {
        long txnId = body == null ? from.lastTxnId() : from.lastTxnId() + 1;
        database.transaction(tx -> {
            if (body != null) {
                tx.createNamedInsert("appservice-txn-insert").params(params("appservice_id", appserviceId,
                        "txn_id", txnId, "body", body, "created_ts", now)).execute();
            }
            return tx.createNamedUpdate("appservice-stream-update").params(params("appservice_id", appserviceId,
                    "event_position", position, "last_txn_id", txnId)).execute();
        });
        return new Cursor(position, txnId);
    }

    /** The oldest transaction not acknowledged yet: the one to (re)send. */
    public Optional<Transaction> oldest(String appserviceId) {
        return database.execute().createNamedGet("appservice-txn-oldest").params(params("appservice_id", appserviceId))
                .execute().map(r -> new Transaction(lng(r, "txn_id"), str(r, "body")));
    }

    public void acknowledged(String appserviceId, long txnId) {
        database.execute().createNamedDelete("appservice-txn-delete")
                .params(params("appservice_id", appserviceId, "txn_id", txnId)).execute();
    }

    /** PUT /directory/list/appservice/{networkId}/{roomId}: {@code visible} adds the room, else removes it. */
    public void listRoom(String appserviceId, String networkId, String roomId, boolean visible) {
        database.execute().createNamedUpdate(visible ? "appservice-list-put" : "appservice-list-delete").params(params(
                "appservice_id", appserviceId, "network_id", networkId, "room_id", roomId)).execute();
    }
}
