package org.hearth.core.sync;

import io.helidon.dbclient.DbRow;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Presence (spec: "Presence"): one row per user, its latest state, so a burst of updates reaches others as
 * one. Visible to the user and to users sharing a room with them.
 */
public final class PresenceStream {
    public static final Set<String> STATES = Set.of("online", "offline", "unavailable");
    // Activity (sending, receipts) rewrites last_active at most this often while the user stays active.
    static final long LAST_ACTIVE_GRANULARITY_MS = 60_000;
    // Synapse's IDLE_TIMER: an online user with no activity for this long shows as unavailable.
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 300_000;
    // Synapse's rule: "currently_active" while the last activity is this recent.
    static final long CURRENTLY_ACTIVE_MS = 60_000;

    private final Database database;
    private final Notifier notifier;
    private final RoomMembership membership;
    private final Clock clock;
    // Synapse's SYNC_ONLINE_TIMEOUT: a user with no sync in flight and none ended this recently goes offline.
    static final long SYNC_ONLINE_TIMEOUT_MS = 30_000;
    private final ConcurrentHashMap<UserId, Presence> latest = new ConcurrentHashMap<>();
    // Users whose syncs keep them online: the only ones the sweep looks at, however many users exist.
    private final ConcurrentHashMap<UserId, Syncing> syncing = new ConcurrentHashMap<>();
    // Users the idle timer made unavailable: their syncs asking for online do not undo it, activity does.
    private final Set<UserId> idled = ConcurrentHashMap.newKeySet();
    private volatile long idleTimeoutMs = DEFAULT_IDLE_TIMEOUT_MS;
    // The presence rows this process wrote since it started, by stream position, each user's latest only (as the
    // table): every woken sync asked the table for the rows in (since, now] and read hundreds to keep a few.
    // Positions above `indexedFrom` are all here, so a sync since then never reads the table.
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Presence> recent =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<UserId, Long> recentPosition = new ConcurrentHashMap<>();
    private final long indexedFrom;

    private static final class Syncing {
        final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        volatile long lastEnded;
    }

    volatile org.hearth.core.port.EphemeralEvents listener = org.hearth.core.port.EphemeralEvents.NONE;

    public PresenceStream(Database database, Notifier notifier, RoomMembership membership, Clock clock) {
        this.database = database;
        this.notifier = notifier;
        this.membership = membership;
        this.clock = clock;
        this.indexedFrom = new StreamPositions(database).current().getOrDefault(StreamPositions.PRESENCE, 0L);
    }

    public record Presence(UserId user, String state, String statusMsg, long lastActiveTs, boolean currentlyActive) {}

    /** Spec "PUT /presence/{userId}/status". */
    public void set(UserId user, String state, Optional<String> statusMsg) {
        if (!STATES.contains(state)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "presence must be online, offline or unavailable");
        }
        if (statusMsg.isPresent() && statusMsg.get().length() > 1024) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "status_msg is over 1024 characters");
        }
        idled.remove(user);
        write(new Presence(user, state, statusMsg.orElse(null), clock.millis(), state.equals("online")), true);
    }

    /** How long an online user may go without activity before showing as unavailable (config). */
    public void useIdleTimeout(long ms) {
        this.idleTimeoutMs = ms;
    }

    /**
     * A remote user's presence from an {@code m.presence} EDU (spec: Server-Server "Presence"); an unknown state
     * is ignored.
     */
    public void remote(UserId user, String state, Optional<String> statusMsg, long lastActiveAgo, boolean currentlyActive) {
        if (!STATES.contains(state)) {
            return;
        }
        long lastActive = clock.millis() - Math.max(0, lastActiveAgo);
        write(new Presence(user, state, statusMsg.filter(m -> m.length() <= 1024).orElse(null), lastActive,
                currentlyActive), true);
    }

    /**
     * The {@code set_presence} of /sync: {@code offline} leaves presence alone (the spec: the client is not
     * marked online). A sync is not activity: it brings an offline user online (a new session), but neither
     * refreshes last_active nor undoes the idle timer's unavailable, as in Synapse.
     */
    public void onSync(UserId user, String setPresence) {
        if (!STATES.contains(setPresence)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "set_presence must be online, offline or unavailable");
        }
        if (setPresence.equals("offline")) {
            return;
        }
        Presence now = current(user);
        if (now.state().equals(setPresence)
                || (setPresence.equals("online") && now.state().equals("unavailable") && idled.contains(user))) {
            return;
        }
        idled.remove(user);
        write(new Presence(user, setPresence, now.statusMsg(), clock.millis(), setPresence.equals("online")), true);
    }

    /**
     * The user did something (sent an event, a receipt, a read marker): last_active is now, and the idle
     * timer's unavailable becomes online again (Synapse's bump_presence_active_time). Writes at most once a
     * minute while the user stays active; wakes others only when the state changes.
     */
    public void active(UserId user) {
        Presence now = current(user);
        long ts = clock.millis();
        boolean back = now.state().equals("unavailable");
        // An offline user (not syncing, e.g. a bot that only sends) has no presence to refresh: nothing is written.
        if (now.state().equals("offline")) {
            return;
        }
        if (!back && now.currentlyActive() && ts - now.lastActiveTs() < LAST_ACTIVE_GRANULARITY_MS) {
            return;
        }
        idled.remove(user);
        String state = back ? "online" : now.state();
        write(new Presence(user, state, now.statusMsg(), ts, state.equals("online")), back);
    }

    /**
     * A /sync begins; unless it asks for {@code offline}, it keeps the user online until {@link #syncEnded} and
     * {@link #SYNC_ONLINE_TIMEOUT_MS} after. True when tracked (then call {@link #syncEnded}).
     */
    boolean syncStarted(UserId user, Optional<String> setPresence) {
        if (setPresence.isEmpty() || setPresence.get().equals("offline")) {
            return false;
        }
        syncing.compute(user, (u, s) -> {
            Syncing out = s == null ? new Syncing() : s;
            out.inFlight.incrementAndGet();
            return out;
        });
        return true;
    }

    void syncEnded(UserId user) {
        syncing.computeIfPresent(user, (u, s) -> {
            s.lastEnded = clock.millis();
            s.inFlight.decrementAndGet();
            return s;
        });
    }

    /**
     * One pass of the presence timer (run every few seconds by {@link SyncStreams}): users whose syncs stopped
     * more than {@link #SYNC_ONLINE_TIMEOUT_MS} ago go offline, and online users idle for the idle timeout become
     * unavailable, as in Synapse. Looks only at users who synced, and at their cached presence.
     */
    void sweep() {
        long now = clock.millis();
        for (var entry : syncing.entrySet()) {
            Syncing seen = entry.getValue();
            Presence cached = latest.get(entry.getKey());
            if (cached != null && cached.state().equals("online") && now - cached.lastActiveTs() > idleTimeoutMs) {
                idled.add(cached.user());
                write(new Presence(cached.user(), "unavailable", cached.statusMsg(), cached.lastActiveTs(), false), true);
            }
            // Cheap test first: most users are mid-sync or synced lately, and need no presence lookup.
            if (seen.inFlight.get() > 0 || now - seen.lastEnded <= SYNC_ONLINE_TIMEOUT_MS) {
                continue;
            }
            UserId user = entry.getKey();
            Presence p = current(user);
            boolean[] expired = {false};
            syncing.computeIfPresent(user, (u, s) -> {
                // As Synapse: the later of the last sync and the last activity (a PUT /presence) counts.
                expired[0] = s.inFlight.get() == 0
                        && now - Math.max(s.lastEnded, p.lastActiveTs()) > SYNC_ONLINE_TIMEOUT_MS;
                return expired[0] ? null : s;
            });
            if (expired[0]) {
                idled.remove(user);
            }
            if (expired[0] && !p.state().equals("offline")) {
                write(new Presence(user, "offline", p.statusMsg(), p.lastActiveTs(), false), true);
            }
        }
    }

    private void write(Presence p, boolean wake) {
        long[] written = {-1};
        try {
            database.transaction(tx -> {
                long position = StreamPositions.advance(database, tx, StreamPositions.PRESENCE);
                tx.createNamedInsert("streams-presence-put")
                        .addParam("user_id", p.user().value()).addParam("state", p.state())
                        .addParam("status_msg", p.statusMsg()).addParam("last_active_ts", p.lastActiveTs())
                        .addParam("currently_active", p.currentlyActive()).addParam("stream_id", position).execute();
                // Indexed before the commit: readers stop at the committed position, so it is not read early, and
                // a writer of the next position (which waits for this commit) may publish it before this thread
                // runs its after-commit actions.
                recent.put(position, p);
                written[0] = position;
                Database.afterCommit(() -> {
                    Long before = recentPosition.put(p.user(), position);
                    if (before != null && before < position) {
                        recent.remove(before);
                    } else if (before != null) {
                        recentPosition.merge(p.user(), before, Math::max);
                        recent.remove(position, p);
                    }
                });
                return position;
            });
        } catch (RuntimeException e) {
            if (written[0] >= 0) {
                recent.remove(written[0], p);
            }
            throw e;
        }
        latest.put(p.user(), p);
        if (wake) {
            // Coalesced: a last_active refresh alone wakes nobody; it rides along with the next sync.
            notifier.notifyUser(p.user());
            notifier.notifyUsers(membership.usersSharingRooms(p.user()));
            listener.presence(p.user(), Json.objectBuilder().add("type", "m.presence").add("sender", p.user().value())
                    .add("content", content(p)).build());
        }
    }

    /** Spec "GET /presence/{userId}/status": yourself, or someone you share a room with. */
    public JsonObject status(UserId viewer, UserId target) {
        if (!viewer.equals(target) && !membership.usersSharingRooms(viewer).contains(target)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You cannot see the presence of " + target.value());
        }
        return content(current(target)).build();
    }

    private Presence current(UserId user) {
        Presence cached = latest.get(user);
        if (cached != null) {
            return cached;
        }
        Presence stored = database.execute().createNamedGet("streams-presence-get")
                .addParam("user_id", user.value()).execute().map(PresenceStream::presence)
                .orElse(new Presence(user, "offline", null, 0, false));
        latest.putIfAbsent(user, stored);
        return stored;
    }

    /** {@code m.presence} events of {@code viewer} and the users sharing a room with them, changed in (from, to]. */
    List<JsonObject> changes(UserId viewer, long from, long to) {
        Set<UserId> visible = new HashSet<>(membership.usersSharingRooms(viewer));
        visible.add(viewer);
        List<JsonObject> out = new ArrayList<>();
        java.util.stream.Stream<Presence> rows = from >= indexedFrom
                ? recent.subMap(from, false, to, true).values().stream()
                : database.execute().createNamedQuery("streams-presence-since")
                        .addParam("from", from).addParam("to", to).execute().map(PresenceStream::presence);
        rows.forEach(p -> {
            if (visible.contains(p.user())) {
                out.add(Json.objectBuilder().add("type", "m.presence").add("sender", p.user().value())
                        .add("content", content(p)).build());
            }
        });
        return out;
    }

    private JsonObjectBuilder content(Presence p) {
        JsonObjectBuilder b = Json.objectBuilder().add("presence", p.state());
        if (p.lastActiveTs() > 0) {
            long ago = Math.max(0, clock.millis() - p.lastActiveTs());
            b.add("last_active_ago", ago);
            b.add("currently_active", p.currentlyActive() && ago < CURRENTLY_ACTIVE_MS);
        }
        if (p.statusMsg() != null) {
            b.add("status_msg", p.statusMsg());
        }
        return b;
    }

    private static boolean bool(Object value) {
        return value instanceof Boolean b ? b : ((Number) value).intValue() != 0;
    }

    private static Presence presence(DbRow row) {
        return new Presence(UserId.parse(row.column("user_id").get(String.class)),
                row.column("state").get(String.class),
                row.column("status_msg").asString().asOptional().orElse(null),
                StreamPositions.longColumn(row, "last_active_ts"),
                bool(row.column("currently_active").get(Object.class)));
    }
}
