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
    // In memory once the event stream is known (useEventStream): every woken sync asked the database for its
    // user's counts. Each user's counts are loaded once, up to a visible position, then kept current by what each
    // commit's push actions counted (added once visible, in position order); receipts, membership changes and
    // redactions drop the user's (or room's) entry and the next read loads it again. A missed writer is
    // corrected within the expiry.
    private volatile java.util.function.LongSupplier visible;
    private final com.github.benmanes.caffeine.cache.Cache<UserId, Tally> tallies =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000)
                    .expireAfterWrite(java.time.Duration.ofMinutes(10)).build();
    // Counted by committed transactions, not yet visible to readers (or not yet added), by position.
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Counted> waiting =
            new java.util.concurrent.ConcurrentSkipListMap<>();

    public UnreadNotifications(Database database) {
        this.database = database;
    }

    /**
     * Keeps counts in memory, current up to {@code visiblePosition} (the room engine's position below which every
     * event is committed); set once at wiring, before events are sent. Without it every read asks the database.
     */
    public void useEventStream(java.util.function.LongSupplier visiblePosition) {
        this.visible = visiblePosition;
    }

    /** What one event notified: per local member it notifies, whether it highlights. */
    public record Counted(RoomId room, long position, String thread, Map<UserId, Boolean> highlights) {}

    /** A user's counts, loaded up to {@code upto} (-1 while loading: events counted meanwhile wait in early). */
    private static final class Tally {
        long upto = -1;
        final Map<RoomId, Map<String, long[]>> counts = new HashMap<>();
        List<Counted> early = new ArrayList<>();

        void add(Counted c, boolean highlight) {
            long[] n = counts.computeIfAbsent(c.room(), r -> new HashMap<>()).computeIfAbsent(c.thread(), t -> new long[2]);
            n[0]++;
            if (highlight) {
                n[1]++;
            }
        }

        Map<RoomId, Map<String, Count>> snapshot() {
            Map<RoomId, Map<String, Count>> out = new HashMap<>();
            counts.forEach((room, threads) -> threads.forEach((thread, n) -> {
                if (n[0] > 0) {
                    out.computeIfAbsent(room, r -> new HashMap<>()).put(thread, new Count(n[0], n[1]));
                }
            }));
            return out;
        }
    }

    /**
     * Called once the transaction that recorded {@code counted}'s push actions committed (before its events are
     * visible): added to the members' counts once they are.
     */
    public void counted(Counted counted) {
        if (visible == null || counted.highlights().isEmpty()) {
            return;
        }
        waiting.put(counted.position(), counted);
        addVisible();
    }

    /** Adds what is visible now to the counts in memory; every read does it first, and the notifier before waking. */
    public void addVisible() {
        java.util.function.LongSupplier position = visible;
        if (position == null || waiting.isEmpty()) {
            return;
        }
        // One at a time, so that a reader finding nothing to add knows the counts hold everything visible.
        synchronized (waiting) {
            long upto = position.getAsLong();
            for (Map.Entry<Long, Counted> e; (e = waiting.firstEntry()) != null && e.getKey() <= upto; ) {
                waiting.remove(e.getKey());
                Counted c = e.getValue();
                c.highlights().forEach((user, highlight) -> {
                    Tally t = tallies.getIfPresent(user);
                    if (t != null) {
                        synchronized (t) {
                            if (t.upto < 0) {
                                t.early.add(c);
                            } else if (c.position() > t.upto) {
                                t.add(c, highlight);
                            }
                        }
                    }
                });
            }
        }
    }

    /** The user's counts change other than by new events (a join or leave): read again. */
    public void membershipChanged(UserId user) {
        tallies.invalidate(user);
    }

    /** Notifications in the room were removed (a redaction): every member's counts are read again. */
    public void roomChanged(RoomId room) {
        tallies.asMap().values().removeIf(t -> {
            synchronized (t) {
                return t.upto < 0 || t.counts.containsKey(room);
            }
        });
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
        // ReceiptStream calls this before advancing its stream, so this runs before a reader can see the receipt.
        Database.afterCommit(() -> tallies.invalidate(user));
    }

    @Override
    public Map<RoomId, Map<String, Count>> unread(UserId user) {
        java.util.function.LongSupplier position = visible;
        if (position == null) {
            return query(database.execute().createNamedQuery("notifications-unread").addParam("user_id", user.value()));
        }
        addVisible();
        // Created before the position is read: whatever becomes visible later is added to it (or waits in early).
        Tally tally = tallies.get(user, u -> new Tally());
        synchronized (tally) {
            if (tally.upto >= 0) {
                return tally.snapshot();
            }
        }
        long upto = position.getAsLong();
        Map<RoomId, Map<String, Count>> loaded = query(database.execute().createNamedQuery("notifications-unread-upto")
                .addParam("user_id", user.value()).addParam("upto", upto));
        synchronized (tally) {
            if (tally.upto < 0) {
                loaded.forEach((room, threads) -> threads.forEach((thread, n) ->
                        tally.counts.computeIfAbsent(room, r -> new HashMap<>())
                                .put(thread, new long[] {n.notifications(), n.highlights()})));
                tally.upto = upto;
                for (Counted c : tally.early) {
                    Boolean highlight = c.highlights().get(user);
                    if (c.position() > upto && highlight != null) {
                        tally.add(c, highlight);
                    }
                }
                tally.early = null;
            }
            return tally.snapshot();
        }
    }

    private static Map<RoomId, Map<String, Count>> query(io.helidon.dbclient.DbStatementQuery statement) {
        Map<RoomId, Map<String, Count>> out = new HashMap<>();
        statement.execute()
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
