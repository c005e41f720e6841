package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.nullableLong;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.hearth.core.storage.Database;
import org.hearth.spec.event.StateKey;

/**
 * Room state as snapshots: each state group is a delta against a parent group, so the state at any event is read
 * without replaying the room. Chains are cut at {@link #MAX_CHAIN} by writing a full snapshot, which bounds a cold
 * read to that many small queries; resolved groups are cached whole.
 */
public final class StateSnapshots {
    /** The state before a room's create event. Never stored. */
    public static final long EMPTY = 0;
    static final int MAX_CHAIN = 32;

    private final Database database;
    private final AtomicLong lastId;
    // Weighed by entries: a growing big room makes one near-copy per event, which a count bound would keep 20,000 of.
    private final Cache<Long, Map<StateKey, String>> resolved = Caffeine.newBuilder().maximumWeight(2_000_000)
            .weigher((Long k, Map<StateKey, String> v) -> 1 + v.size()).build();
    private final Cache<Long, Integer> chainLengths = Caffeine.newBuilder().maximumSize(100_000).build();
    /** Each group's full snapshot (itself when it is one), so a new snapshot is copied from the last in the database. */
    private final Cache<Long, Long> snapshotOf = Caffeine.newBuilder().maximumSize(100_000).build();

    StateSnapshots(Database database) {
        this.database = database;
        this.lastId = new AtomicLong(database.execute().namedGet("rooms-max-state-group").map(r -> lng(r, "n")).orElse(0L));
    }

    /** The full state of {@code group}, (type, state_key) to event ID; immutable. */
    public Map<StateKey, String> get(long group) {
        return get(database.execute(), group);
    }

    /**
     * Read through {@code exec}: inside a transaction that wrote the group it is the only connection that sees it
     * (the cache may have dropped it already: a createRoom with thousands of initial state events failed so).
     */
    private Map<StateKey, String> get(DbExecute exec, long group) {
        if (group == EMPTY) {
            return Map.of();
        }
        Map<StateKey, String> cached = resolved.getIfPresent(group);
        if (cached != null) {
            return cached;
        }
        // Walk to the snapshot (or a cached ancestor), then apply deltas back down.
        Deque<Long> chain = new ArrayDeque<>();
        Map<StateKey, String> base = Map.of();
        Long current = group;
        while (current != null) {
            Map<StateKey, String> hit = resolved.getIfPresent(current);
            if (hit != null) {
                base = hit;
                break;
            }
            chain.push(current);
            long id = current;
            DbRow row = exec.createNamedGet("rooms-state-group-get").params(params("id", id)).execute()
                    .orElseThrow(() -> new IllegalStateException("state group " + id + " is missing"));
            current = nullableLong(row, "parent_id");
        }
        Map<StateKey, String> state = new HashMap<>(base);
        while (!chain.isEmpty()) {
            state.putAll(entries(exec, chain.pop()));
        }
        Map<StateKey, String> result = Map.copyOf(state);
        resolved.put(group, result);
        return result;
    }

    private Map<StateKey, String> entries(long group) {
        return entries(database.execute(), group);
    }

    private static Map<StateKey, String> entries(DbExecute exec, long group) {
        Map<StateKey, String> delta = new HashMap<>();
        try (Stream<DbRow> rows = exec.createNamedQuery("rooms-state-entries-get")
                .params(params("state_group", group)).execute()) {
            rows.forEach(r -> delta.put(StateKey.of(str(r, "type"), str(r, "state_key")), str(r, "event_id")));
        }
        return delta;
    }

    /** Writes the group for {@code parent}'s state with {@code changes} applied, in {@code tx}; returns its ID. */
    long create(DbExecute tx, String roomId, long parent, Map<StateKey, String> changes) {
        long id = lastId.incrementAndGet();
        Map<StateKey, String> full = new HashMap<>(get(tx, parent));
        full.putAll(changes);
        int parentChain = parent == EMPTY ? -1 : chainLength(tx, parent);
        boolean snapshot = parent == EMPTY || parentChain + 1 >= MAX_CHAIN;
        int chain = snapshot ? 0 : parentChain + 1;
        tx.createNamedInsert("rooms-state-group-insert").params(params("id", id, "room_id", roomId,
                "parent_id", snapshot ? null : parent, "chain_length", chain)).execute();
        Map<StateKey, String> written = changes;
        if (snapshot && parent != EMPTY) {
            // Copy the previous snapshot inside the database (one statement, not one per member), then write what
            // changed since it: a per-join cost that does not grow with the room.
            long previous = snapshotOf(tx, parent);
            tx.createNamedInsert("rooms-state-entries-copy").params(params("state_group", id, "from_group", previous))
                    .execute();
            // Read through tx when not cached: another connection here would be a nested one.
            Map<StateKey, String> before = resolved.getIfPresent(previous);
            if (before == null) {
                before = entries(tx, previous);
            }
            written = new HashMap<>();
            for (var e : full.entrySet()) {
                if (!e.getValue().equals(before.get(e.getKey()))) {
                    written.put(e.getKey(), e.getValue());
                }
            }
            for (var k : before.keySet()) {
                if (!full.containsKey(k)) {
                    tx.createNamedDelete("rooms-state-entry-delete").params(params("state_group", id,
                            "type", k.type(), "state_key", k.stateKey())).execute();
                }
            }
        } else if (snapshot) {
            written = full;
        }
        for (var e : written.entrySet()) {
            tx.createNamedInsert("rooms-state-entry-upsert").params(params("state_group", id,
                    "type", e.getKey().type(), "state_key", e.getKey().stateKey(), "event_id", e.getValue())).execute();
        }
        snapshotOf.put(id, snapshot ? id : snapshotOf(tx, parent));
        // An ID of a rolled-back group is never handed out again, so caching it early is harmless.
        resolved.put(id, Collections.unmodifiableMap(full));
        chainLengths.put(id, chain);
        return id;
    }

    private long snapshotOf(DbExecute tx, long group) {
        Long known = snapshotOf.getIfPresent(group);
        if (known != null) {
            return known;
        }
        long current = group;
        while (true) {
            long id = current;
            DbRow row = tx.createNamedGet("rooms-state-group-get").params(params("id", id)).execute()
                    .orElseThrow(() -> new IllegalStateException("state group " + id + " is missing"));
            Long parent = nullableLong(row, "parent_id");
            if (parent == null) {
                snapshotOf.put(group, current);
                return current;
            }
            current = parent;
        }
    }

    int chainLength(long group) {
        return chainLength(database.execute(), group);
    }

    private int chainLength(DbExecute exec, long group) {
        return chainLengths.get(group, g -> (int) exec.createNamedGet("rooms-state-group-get")
                .params(params("id", g)).execute().map(r -> lng(r, "chain_length")).orElse(0L).longValue());
    }
}
