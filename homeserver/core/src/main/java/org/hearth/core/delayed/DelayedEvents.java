package org.hearth.core.delayed;

import static org.hearth.core.storage.Rows.bool;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.nullableLong;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.hearth.core.ratelimit.RateLimited;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Delayed events (MSC4140, unstable prefix {@code org.matrix.msc4140}): scheduling, the owner's list, cancel,
 * restart and send-now, sending what is due, and cancelling delayed state events that another user's later state
 * event overwrote. A delay ID is a random opaque string; every operation is scoped to the owner, so another
 * user's delay ID answers as unknown ({@code M_NOT_FOUND}).
 *
 * <p>A due event is sent by {@link Sender} as its owner, with the auth rules and checks of that moment; a failure
 * is logged and the row dropped (MSC4140: no retry at the scheduled time). A send-now that fails leaves it
 * scheduled and answers the error, as the MSC asks.
 */
public final class DelayedEvents {
    private static final Logger LOG = System.getLogger(DelayedEvents.class.getName());
    /** Due events sent per database read, so one sweep never holds many rows in memory. */
    private static final int BATCH = 100;
    // Stream positions a pending delayed state event's overwrite check may rescan before its start moves up: one
    // write per this many positions instead of one per commit (a call's "leave" can be restarted for hours).
    private static final long RECHECK_SPAN = 1000;
    private static final String ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /** Sends a delayed event into its room as its owner, with every check of a client's send; returns the event ID. */
    @FunctionalInterface
    public interface Sender {
        String send(DelayedEvent event);
    }

    /**
     * {@code maxDelayMs}: the longest delay accepted (Synapse's {@code max_event_delay_duration}), 0 turns delayed
     * events off; {@code maxScheduled}: pending delayed events per user (Synapse's default 100).
     */
    public record Limits(long maxDelayMs, int maxScheduled) {
        public boolean enabled() {
            return maxDelayMs > 0 && maxScheduled > 0;
        }
    }

    /** What a client asks to schedule; {@code txnId} only for {@code /send} (state PUTs have none). */
    public record Request(UserId owner, String deviceId, String txnId, RoomId room, String type, String stateKey,
                          jakarta.json.JsonObject content, Long originServerTs, long delayMs) {}

    /**
     * A delay the server does not accept. The shape matrix-js-sdk (37.x) reads to shorten its delay and retry:
     * 400 {@code M_UNKNOWN} with {@code org.matrix.msc4140.errcode} and {@code org.matrix.msc4140.max_delay}.
     */
    public static final class DelayRefused extends RuntimeException {
        public static final String EXCEEDED = "M_MAX_DELAY_EXCEEDED";
        public static final String UNSUPPORTED = "M_MAX_DELAY_UNSUPPORTED";
        private final String errcode;
        private final long maxDelayMs;

        DelayRefused(String errcode, long maxDelayMs, String message) {
            super(message, null, false, false);
            this.errcode = errcode;
            this.maxDelayMs = maxDelayMs;
        }

        public String errcode() {
            return errcode;
        }

        /** The allowed maximum, 0 when delayed events are off. */
        public long maxDelayMs() {
            return maxDelayMs;
        }
    }

    private final Database database;
    private final Clock clock;
    private final LongSupplier roomPosition;
    private final Limits limits;
    private final SecureRandom random = new SecureRandom();
    // Rooms with a pending delayed state event: only their commits need the overwrite check.
    private final Set<String> stateRooms = ConcurrentHashMap.newKeySet();
    private volatile Sender sender = event -> {
        throw new IllegalStateException("no sender wired");
    };
    private volatile LongConsumer scheduled = sendTs -> { };

    /** {@code roomPosition}: the rooms' current stream position (only later events can overwrite a new row). */
    public DelayedEvents(Database database, Clock clock, LongSupplier roomPosition, Limits limits) {
        this.database = database;
        this.clock = clock;
        this.roomPosition = roomPosition;
        this.limits = limits;
    }

    public Limits limits() {
        return limits;
    }

    public void useSender(Sender sender) {
        this.sender = sender;
    }

    /** Told the send time of each newly scheduled event (the job wakes for it). */
    public void onScheduled(LongConsumer scheduled) {
        this.scheduled = scheduled;
    }

    /**
     * The refusal of {@code delayMs}, before anything is read or stored: {@code M_INVALID_PARAM} when negative,
     * {@link DelayRefused} when off or over the maximum.
     */
    public void checkDelay(long delayMs) {
        if (delayMs < 0) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "org.matrix.msc4140.delay must be a non-negative integer");
        }
        if (!limits.enabled()) {
            throw new DelayRefused(DelayRefused.UNSUPPORTED, 0, "Delayed events are not supported on this server");
        }
        if (delayMs > limits.maxDelayMs()) {
            throw new DelayRefused(DelayRefused.EXCEEDED, limits.maxDelayMs(),
                    "The requested delay (" + delayMs + " ms) exceeds the allowed maximum (" + limits.maxDelayMs() + " ms)");
        }
    }

    /**
     * Schedules {@code request} and returns its delay ID; a retry of the same {@code /send} transaction returns the
     * first one's while it is pending. 429 {@code M_LIMIT_EXCEEDED} once the owner has {@code maxScheduled}
     * pending, with a retry time of when the next of theirs goes out (as Synapse).
     */
    public String schedule(Request request) {
        checkDelay(request.delayMs());
        long now = clock.millis();
        long sendTs = now + request.delayMs();
        String owner = request.owner().value();
        String delayId = database.transaction(tx -> {
            if (request.txnId() != null && request.deviceId() != null) {
                Optional<DbRow> earlier = tx.createNamedGet("delayed-by-txn").params(params("user_id", owner,
                        "device_id", request.deviceId(), "txn_id", request.txnId(), "room_id", request.room().value(),
                        "event_type", request.type())).execute();
                if (earlier.isPresent()) {
                    return str(earlier.get(), "delay_id");
                }
            }
            refuseOverLimit(tx, owner, now);
            String id = "hd_" + randomId(24);
            tx.createNamedInsert("delayed-insert").params(params("delay_id", id, "user_id", owner,
                    "device_id", request.deviceId(), "txn_id", request.txnId(), "room_id", request.room().value(),
                    "event_type", request.type(), "state_key", request.stateKey(),
                    "content", request.content().toString(), "origin_server_ts", request.originServerTs(),
                    "delay_ms", request.delayMs(), "send_ts", sendTs, "since_position", roomPosition.getAsLong()))
                    .execute();
            return id;
        });
        if (request.stateKey() != null) {
            stateRooms.add(request.room().value());
        }
        scheduled.accept(sendTs);
        return delayId;
    }

    private void refuseOverLimit(DbExecute tx, String owner, long now) {
        long count = tx.createNamedGet("delayed-count").params(params("user_id", owner)).execute()
                .map(r -> lng(r, "n")).orElse(0L);
        if (count < limits.maxScheduled()) {
            return;
        }
        // The send time that brings the user back under the limit.
        long freedAt = tx.createNamedGet("delayed-nth-send-ts")
                .params(params("user_id", owner, "skip", count - limits.maxScheduled())).execute()
                .map(r -> lng(r, "send_ts")).orElse(now + 1000);
        throw new RateLimited(Math.max(1000, freedAt - now));
    }

    /** The owner's pending delayed events, the next to be sent first. */
    public List<DelayedEvent> list(UserId owner) {
        try (Stream<DbRow> rows = database.execute().createNamedQuery("delayed-list")
                .params(params("user_id", owner.value())).execute()) {
            return rows.map(DelayedEvents::event).toList();
        }
    }

    /** Never sent; {@code M_NOT_FOUND} when not pending (unknown, another user's, sent or being sent). */
    public void cancel(UserId owner, String delayId) {
        long n = database.execute().createNamedDelete("delayed-cancel")
                .params(params("delay_id", delayId, "user_id", owner.value())).execute();
        if (n == 0) {
            throw notFound(delayId);
        }
    }

    /** Moves its send time to now + its delay; {@code M_NOT_FOUND} when not pending. */
    public void restart(UserId owner, String delayId) {
        long now = clock.millis();
        long n = database.execute().createNamedUpdate("delayed-restart")
                .params(params("delay_id", delayId, "user_id", owner.value(), "now", now)).execute();
        if (n == 0) {
            throw notFound(delayId);
        }
    }

    /**
     * Sends it now and returns the event ID; {@code M_NOT_FOUND} when not pending. A refused send (auth, rate limit)
     * answers that error and leaves it scheduled, for a retry or its own send time (MSC4140, "send" action).
     */
    public String sendNow(UserId owner, String delayId) {
        long claimed = database.execute().createNamedUpdate("delayed-claim")
                .params(params("delay_id", delayId, "user_id", owner.value())).execute();
        if (claimed == 0) {
            throw notFound(delayId);
        }
        DelayedEvent event = database.execute().createNamedGet("delayed-get").params(params("delay_id", delayId))
                .execute().map(DelayedEvents::event).orElseThrow(() -> notFound(delayId));
        String eventId;
        try {
            eventId = sender.send(event);
        } catch (RuntimeException e) {
            database.execute().createNamedUpdate("delayed-unclaim").params(params("delay_id", delayId)).execute();
            throw e;
        }
        delete(delayId);
        return eventId;
    }

    /** Sends every event whose time has come, oldest first; returns how many were sent. */
    public int sendDue() {
        int sent = 0;
        while (true) {
            List<DelayedEvent> due;
            try (Stream<DbRow> rows = database.execute().createNamedQuery("delayed-due")
                    .params(params("now", clock.millis(), "lim", BATCH)).execute()) {
                due = rows.map(DelayedEvents::event).toList();
            }
            for (DelayedEvent event : due) {
                if (sendClaimed(event)) {
                    sent++;
                }
            }
            if (due.size() < BATCH) {
                return sent;
            }
        }
    }

    // A cancel, restart or send-now may have taken it since it was read: the claim decides who goes on.
    private boolean sendClaimed(DelayedEvent event) {
        long claimed = database.execute().createNamedUpdate("delayed-claim")
                .params(params("delay_id", event.delayId(), "user_id", event.owner().value())).execute();
        if (claimed == 0) {
            return false;
        }
        try {
            String eventId = sender.send(event);
            LOG.log(Level.DEBUG, "delayed event {0} sent as {1}", event.delayId(), eventId);
            delete(event.delayId());
            return true;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                // Stopping: the claim stays and recover() makes it pending again at the next start.
                return false;
            }
            // MSC4140: not retried; the owner finds it gone from their list. A bad row must not stop the others.
            LOG.log(Level.WARNING, "delayed event " + event.delayId() + " of " + event.owner().value() + " in "
                    + event.room().value() + " (" + event.type() + ") was not sent: " + e.getMessage());
            delete(event.delayId());
            return false;
        }
    }

    /** When the next pending event is due, if any. */
    public OptionalLong nextSendTs() {
        return database.execute().namedGet("delayed-next-send-ts")
                .flatMap(r -> Optional.ofNullable(nullableLong(r, "t")))
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /**
     * At start: sends cut off by a stop are pending again (they go out once more rather than never), and the rooms
     * with delayed state events are known again.
     */
    public void recover() {
        database.execute().namedUpdate("delayed-unclaim-all");
        try (Stream<DbRow> rows = database.execute().namedQuery("delayed-state-rooms")) {
            rows.forEach(r -> stateRooms.add(str(r, "room_id")));
        }
    }

    /** Whether a commit in {@code room} may have overwritten a delayed state event (cheap: no database read). */
    public boolean watches(RoomId room) {
        return stateRooms.contains(room.value());
    }

    /**
     * MSC4140 "Delayed state events are cancelled by a more recent state event": cancels the room's delayed state
     * events that a later state event of another sender at the same (type, state_key) overwrote. Returns how many.
     * {@code position}: the room's events up to it are committed (the notified commit), so the rows not
     * overwritten need no look below it again.
     */
    public int cancelOverwritten(RoomId room, long position) {
        record Row(String delayId, long since, boolean overwritten) {}
        List<Row> rows;
        try (Stream<DbRow> found = database.execute().createNamedQuery("delayed-room-state")
                .params(params("room_id", room.value())).execute()) {
            rows = found.map(r -> new Row(str(r, "delay_id"), lng(r, "since_position"), bool(r, "overwritten"))).toList();
        }
        int cancelled = 0;
        for (Row row : rows) {
            if (row.overwritten()) {
                cancelled += (int) database.execute().createNamedDelete("delayed-cancel-overwritten")
                        .params(params("delay_id", row.delayId())).execute();
            } else if (position - row.since() > RECHECK_SPAN) {
                database.execute().createNamedUpdate("delayed-checked-up-to")
                        .params(params("delay_id", row.delayId(), "position", position)).execute();
            }
        }
        // Removed before the read, re-added after it: a schedule committing meanwhile adds the room back itself.
        stateRooms.remove(room.value());
        if (database.execute().createNamedGet("delayed-room-has-state").params(params("room_id", room.value()))
                .execute().isPresent()) {
            stateRooms.add(room.value());
        }
        return cancelled;
    }

    private void delete(String delayId) {
        database.execute().createNamedDelete("delayed-delete").params(params("delay_id", delayId)).execute();
    }

    private static MatrixException notFound(String delayId) {
        return new MatrixException(ErrorCode.NOT_FOUND, "No pending delayed event " + delayId);
    }

    private static DelayedEvent event(DbRow r) {
        return new DelayedEvent(str(r, "delay_id"), UserId.parse(str(r, "user_id")), str(r, "device_id"),
                new RoomId(str(r, "room_id")), str(r, "event_type"), str(r, "state_key"),
                Json.parseObject(str(r, "content")), nullableLong(r, "origin_server_ts"), lng(r, "delay_ms"),
                lng(r, "send_ts"));
    }

    private String randomId(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(ID_CHARS.charAt(random.nextInt(ID_CHARS.length())));
        }
        return b.toString();
    }
}
