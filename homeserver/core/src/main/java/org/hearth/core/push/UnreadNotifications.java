package org.hearth.core.push;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import jakarta.json.JsonArray;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.port.ReadReceipts;
import org.hearth.core.storage.Database;
import org.hearth.core.sync.UnreadCounts;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.push.PushAction;

/**
 * Unread notification counts (spec: "Receiving notifications") over the recorded push actions (V27: a room row per
 * notifying event plus rows for the members whose outcome differs): a read receipt moves the member's read position
 * in the receipt's transaction (a threaded receipt its thread's only), so counts are one query reading only the
 * rows after each position. Also the pages of GET /notifications.
 */
public final class UnreadNotifications implements UnreadCounts, ReadReceipts {
    // Synapse's default page size for /notifications.
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 1_000;

    private final Database database;

    public UnreadNotifications(Database database) {
        this.database = database;
    }

    @Override
    public void read(DbExecute tx, UserId user, RoomId room, String threadId, String eventId) {
        Optional<Long> upto = tx.createNamedGet("notifications-event-position").addParam("event_id", eventId)
                .addParam("room_id", room.value()).execute().map(row -> number(row, "stream_ordering"));
        if (upto.isEmpty()) {
            return;
        }
        tx.createNamedUpdate("notifications-read").addParam("user_id", user.value())
                .addParam("room_id", room.value()).addParam("thread_id", threadId)
                .addParam("upto", upto.get()).execute();
    }

    @Override
    public Map<RoomId, Map<String, Count>> unread(UserId user) {
        Map<RoomId, Map<String, Count>> out = new HashMap<>();
        database.execute().createNamedQuery("notifications-unread").addParam("user_id", user.value()).execute()
                .forEach(row -> out.computeIfAbsent(RoomId.parse(row.column("room_id").get(String.class)),
                        r -> new HashMap<>()).put(row.column("thread_id").get(String.class),
                        new Count(number(row, "notifications"), number(row, "highlights"))));
        return out;
    }

    /** The badge a push carries: the user's unread notifications in every room. */
    public long total(UserId user) {
        return unread(user).values().stream().flatMap(threads -> threads.values().stream())
                .mapToLong(Count::notifications).sum();
    }

    /** One entry of GET /notifications, before its event is loaded and rendered. */
    public record Entry(long streamOrdering, RoomId room, String eventId, JsonArray actions, boolean read, long ts) {}

    /** Newest first, below {@code before} ({@code Long.MAX_VALUE} for the first page). */
    public List<Entry> page(UserId user, long before, int limit, boolean onlyHighlight) {
        List<Entry> out = new ArrayList<>();
        database.execute().createNamedQuery("notifications-page")
                .addParam("user_id", user.value()).addParam("only_highlight", onlyHighlight).addParam("before", before).addParam("lim", limit).execute()
                .forEach(row -> out.add(new Entry(number(row, "stream_ordering"),
                        RoomId.parse(row.column("room_id").get(String.class)),
                        row.column("event_id").get(String.class),
                        actions(row.column("actions").asString().asOptional()),
                        !bool(row, "unread"), number(row, "ts"))));
        return out;
    }

    private static JsonArray actions(Optional<String> stored) {
        return stored.map(a -> Json.parse(a).asJsonArray())
                .orElseGet(() -> PushAction.toJson(PushActions.JUST_NOTIFY));
    }

    /** Spec: {@code from} is a {@code next_token} given earlier; anything else is 400. */
    public static long parseToken(String from) {
        if (from == null || from.isEmpty()) {
            return Long.MAX_VALUE;
        }
        try {
            long v = Long.parseLong(from);
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "Unknown 'from' token");
    }

    static long number(DbRow row, String column) {
        Object v = row.column(column).get(Object.class);
        return v == null ? 0 : ((Number) v).longValue();
    }

    private static boolean bool(DbRow row, String column) {
        Object v = row.column(column).get(Object.class);
        return v instanceof Boolean b ? b : ((Number) v).longValue() != 0;
    }
}
