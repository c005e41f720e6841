package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.bool;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.RoundTrip;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/** Events, their edges, extremities, memberships, aliases and client transaction IDs in SQL. */
final class EventRepository {
    private final Database database;
    private final Cache<String, StoredEvent> events = Caffeine.newBuilder().maximumSize(50_000).build();
    // Memberships are read by every sync, wake and presence fan-out; they change only through upsertMembership
    // and forget, which drop the entries once committed. A load racing that drop is dropped with it (Caffeine
    // serializes a key's load and its invalidation).
    private final Cache<String, List<Membership>> membershipsOfUser = Caffeine.newBuilder().maximumSize(200_000).build();
    private final Cache<String, RoomMembers> membersOfRoom = Caffeine.newBuilder().maximumSize(20_000).build();

    // At least the highest position of an accepted membership event (see membershipChangesUpTo).
    private final java.util.concurrent.atomic.AtomicLong memberEventsUpTo = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean memberEventsKnown;

    // The rooms rows (version, creator, current state group): read by every sync's summaries and state reads.
    private final Cache<String, DbRow> rooms = Caffeine.newBuilder().maximumSize(20_000).build();

    // The newest events of each room that took events since start, so that syncs woken by a new event read it
    // from memory. Filled after each commit; see Tail.
    private final Cache<String, Tail> tails = Caffeine.newBuilder().maximumSize(10_000).build();

    private record RoomMembers(List<Membership> all, Map<String, Membership> byUser) {}

    EventRepository(Database database) {
        this.database = database;
    }

    long maxStreamOrdering() {
        return database.execute().namedGet("rooms-max-stream").map(r -> lng(r, "n")).orElse(0L);
    }

    /** The lowest position taken, or 0: backfilled history counts down below it. */
    long minStreamOrdering() {
        return database.execute().namedGet("rooms-min-stream").map(r -> lng(r, "n")).orElse(0L);
    }

    /**
     * The backward extremities at the bottom of a room's timeline: prev events, not placed here, of the room's
     * oldest placed events (e.g. of a remote join, or of the oldest backfilled events).
     */
    List<String> backwardExtremities(String roomId) {
        try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-backward-extremities")
                .params(params("room_id", roomId, "lim", BOTTOM_EVENTS)).execute()) {
            return rows.map(r -> str(r, "event_id")).toList();
        }
    }

    // How many of a room's oldest events are looked at for backward extremities.
    static final int BOTTOM_EVENTS = 20;

    Optional<StoredEvent> find(String eventId) {
        StoredEvent cached = events.getIfPresent(eventId);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<StoredEvent> found = database.execute().createNamedGet("rooms-event-get")
                .params(params("event_id", eventId)).execute().map(EventRepository::event);
        found.ifPresent(e -> events.put(eventId, e));
        return found;
    }

    /** Which of {@code eventIds} are stored (any room, outliers too): cached ones, then one query per 1,000 others. */
    Set<String> stored(Collection<String> eventIds) {
        Set<String> found = new HashSet<>();
        List<String> ask = new ArrayList<>();
        for (String id : eventIds) {
            if (events.getIfPresent(id) != null) {
                found.add(id);
            } else {
                ask.add(id);
            }
        }
        for (int i = 0; i < ask.size(); i += 1000) {
            var ids = jakarta.json.Json.createArrayBuilder();
            ask.subList(i, Math.min(ask.size(), i + 1000)).forEach(ids::add);
            try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-events-stored")
                    .addParam("ids", ids.build().toString()).execute()) {
                rows.forEach(r -> found.add(str(r, "event_id")));
            }
        }
        return found;
    }

    /** Up to {@code limit} accepted events of the room with {@code to < stream_ordering <= from}, newest first. */
    List<StoredEvent> backward(String roomId, long from, long to, int limit, long minTs) {
        if (minTs == Long.MIN_VALUE) {
            Tail tail = tails.getIfPresent(roomId);
            List<StoredEvent> recent = tail == null ? null : tail.newest(from, to, limit);
            if (recent != null) {
                return recent;
            }
        }
        return query("rooms-timeline-backward", roomId, from, to, limit, minTs);
    }

    /**
     * A room's accepted (not rejected, not soft-failed) events above {@code coveredFrom}, every one of them, oldest
     * first: appended after each commit, which for a room come in position order (the room's lock); an event that
     * comes out of order drops the tail. Positions are made visible to readers only after the append, so a reader
     * below the current position finds every event it may see.
     */
    private static final class Tail {
        static final int CAPACITY = 256;
        private final java.util.ArrayDeque<StoredEvent> events = new java.util.ArrayDeque<>();
        private long coveredFrom;
        private boolean broken;

        Tail(long coveredFrom) {
            this.coveredFrom = coveredFrom;
        }

        synchronized boolean append(StoredEvent e) {
            long last = events.isEmpty() ? coveredFrom : events.peekLast().streamOrdering();
            if (broken || e.streamOrdering() <= last) {
                broken = true;
                return false;
            }
            events.addLast(e);
            if (events.size() > CAPACITY) {
                coveredFrom = events.removeFirst().streamOrdering();
            }
            return true;
        }

        /** Marks the event redacted if held; false when the tail cannot be trusted any more. */
        synchronized boolean redacted(String eventId, String redactionId) {
            if (broken) {
                return false;
            }
            List<StoredEvent> all = new ArrayList<>(events);
            events.clear();
            for (StoredEvent e : all) {
                events.addLast(e.eventId().equals(eventId) && e.redactedBecause() == null
                        ? e.withRedactedBecause(redactionId) : e);
            }
            return true;
        }

        /** Newest first in (lower, upper], or null when events older than the tail could be among them. */
        synchronized List<StoredEvent> newest(long upper, long lower, int limit) {
            if (broken) {
                return null;
            }
            List<StoredEvent> out = new ArrayList<>();
            var it = events.descendingIterator();
            while (it.hasNext() && out.size() < limit) {
                StoredEvent e = it.next();
                if (e.streamOrdering() <= lower) {
                    break;
                }
                if (e.streamOrdering() <= upper) {
                    out.add(e);
                }
            }
            return out.size() == limit || lower >= coveredFrom ? out : null;
        }

        /** Oldest first in (lower, upper], or null when events older than the tail could be among them. */
        synchronized List<StoredEvent> oldest(long upper, long lower, int limit) {
            if (broken || lower < coveredFrom) {
                return null;
            }
            List<StoredEvent> out = new ArrayList<>();
            for (StoredEvent e : events) {
                if (e.streamOrdering() > upper || out.size() == limit) {
                    break;
                }
                if (e.streamOrdering() > lower) {
                    out.add(e);
                }
            }
            return out;
        }
    }

    private void appendToTail(StoredEvent e) {
        // Backfilled history (negative positions) lies below every tail.
        if (!e.inTimeline() || e.streamOrdering() <= 0) {
            return;
        }
        // A tail begins with the first event after start: nothing of the room above the one before it is missing.
        Tail tail = tails.get(e.roomId(), r -> new Tail(e.streamOrdering() - 1));
        if (!tail.append(e)) {
            tails.asMap().remove(e.roomId(), tail);
        }
    }

    /** Up to {@code limit} accepted events of the room with {@code from < stream_ordering <= to}, oldest first. */
    List<StoredEvent> forward(String roomId, long from, long to, int limit, long minTs) {
        if (minTs == Long.MIN_VALUE) {
            // Every commit's federation read (TransactionQueue) asks for just the events it made: memory suffices.
            Tail tail = tails.getIfPresent(roomId);
            List<StoredEvent> recent = tail == null ? null : tail.oldest(to, from, limit);
            if (recent != null) {
                return recent;
            }
        }
        return query("rooms-timeline-forward", roomId, from, to, limit, minTs);
    }

    private List<StoredEvent> query(String name, String roomId, long from, long to, int limit, long minTs) {
        List<StoredEvent> out = new ArrayList<>();
        try (Stream<DbRow> rows = database.execute().createNamedQuery(name).params(params("room_id", roomId,
                "from_pos", from, "to_pos", to, "lim", limit, "min_ts", minTs)).execute()) {
            rows.forEach(r -> {
                StoredEvent e = event(r);
                StoredEvent cached = events.getIfPresent(e.eventId());
                out.add(cached != null && cached.redactedBecause() != null ? cached : e);
            });
        }
        return out;
    }

    void insert(DbExecute tx, StoredEvent e) {
        insertAll(tx, List.of(e));
    }

    private static final String EVENT_INSERT = "INSERT INTO events (stream_ordering, event_id, room_id, type, state_key,"
            + " sender, depth, origin_server_ts, json, rejected, soft_failed, outlier, rejected_reason, state_group,"
            + " state_group_after, txn_device_id, txn_id) VALUES ";
    private static final String EDGE_INSERT = "INSERT INTO event_edges (event_id, prev_event_id, room_id) VALUES ";

    void insertAll(DbExecute tx, List<StoredEvent> all) {
        RoundTrip writes = new RoundTrip();
        addEvents(writes, all);
        writes.send(tx);
    }

    /**
     * The events and their edges as one multi-row statement each, whatever their number: a commit of a batch of
     * sends costs two statements here, not two per event (each is parsed and answered by MariaDB on its own).
     */
    void addEvents(RoundTrip writes, List<StoredEvent> all) {
        if (all.isEmpty()) {
            return;
        }
        List<Object> values = new ArrayList<>(all.size() * 17);
        List<Object> edges = new ArrayList<>();
        for (StoredEvent e : all) {
            Pdu pdu = e.pdu();
            java.util.Collections.addAll(values, e.streamOrdering(), pdu.eventId(), e.roomId(), pdu.type(),
                    pdu.stateKey().orElse(null), pdu.sender(), pdu.depth(), pdu.originServerTs(),
                    CanonicalJson.encodeLenient(pdu.json()), e.rejected(), e.softFailed(), e.outlier(),
                    e.rejectedReason(), e.stateGroup(), e.stateGroupAfter(), e.txnDeviceId(), e.txnId());
            if (RoomEngine.MEMBER.equals(pdu.type()) && pdu.stateKey().isPresent() && !e.rejected() && !e.softFailed()) {
                // Raised before the commit: a reader may look once too often, never too rarely.
                memberEventsUpTo.accumulateAndGet(e.streamOrdering(), Math::max);
            }
            Database.afterCommit(() -> appendToTail(e));
            for (String prev : pdu.prevEvents()) {
                java.util.Collections.addAll(edges, pdu.eventId(), prev, e.roomId());
            }
        }
        writes.add(EVENT_INSERT + RoundTrip.rows(all.size(), 17), values);
        if (!edges.isEmpty()) {
            writes.add(EDGE_INSERT + RoundTrip.rows(edges.size() / 3, 3), edges);
        }
    }

    /** Removes an outlier, so it can be stored again as a placed event (in the same transaction). */
    void deleteOutlier(DbExecute tx, String eventId) {
        tx.createNamedDelete("rooms-outlier-delete").params(params("event_id", eventId)).execute();
        tx.createNamedDelete("rooms-edges-delete").params(params("event_id", eventId)).execute();
    }

    /** Whether a stored event names {@code eventId} among its prev_events. */
    boolean referenced(String eventId) {
        return database.execute().createNamedGet("rooms-event-referenced").params(params("event_id", eventId))
                .execute().isPresent();
    }

    /**
     * A position at or above every accepted membership event's, so that a reader asking for membership changes
     * above it knows there are none without a query (device list tracking asks on every sync).
     */
    long membershipChangesUpTo() {
        if (!memberEventsKnown) {
            memberEventsUpTo.accumulateAndGet(maxStreamOrdering(), Math::max);
            memberEventsKnown = true;
        }
        return memberEventsUpTo.get();
    }

    /** The room's row in {@code rooms}; empty for a room not known here. */
    Optional<DbRow> room(String roomId) {
        return Optional.ofNullable(rooms.get(roomId, r -> database.execute().createNamedGet("rooms-get")
                .params(params("room_id", r)).execute().orElse(null)));
    }

    void setCurrentState(DbExecute tx, String roomId, long group) {
        tx.createNamedUpdate("rooms-set-current-state").params(params("room_id", roomId,
                "current_state_group", group)).execute();
        Database.afterCommit(() -> rooms.invalidate(roomId));
    }

    /** Caches events once their transaction committed. */
    void committed(StoredEvent e) {
        events.put(e.eventId(), e);
    }

    /** Drops a purged event from the cache, so the next read sees its pruned JSON. */
    void purged(String eventId) {
        events.invalidate(eventId);
        // Rare (retention): every tail is rebuilt rather than searched.
        tails.invalidateAll();
    }

    boolean markRedacted(DbExecute tx, String eventId, String redactionId) {
        return tx.createNamedUpdate("rooms-event-set-redacted")
                .params(params("event_id", eventId, "redacted_because", redactionId)).execute() > 0;
    }

    void redactedCommitted(String eventId, String redactionId) {
        StoredEvent cached = events.getIfPresent(eventId);
        if (cached != null) {
            events.put(eventId, cached.withRedactedBecause(redactionId));
            Tail tail = tails.getIfPresent(cached.roomId());
            if (tail != null && !tail.redacted(eventId, redactionId)) {
                tails.asMap().remove(cached.roomId(), tail);
            }
        } else {
            tails.invalidateAll();
        }
    }

    List<String> extremities(String roomId) {
        return extremities(database.execute(), roomId);
    }

    /** Within an open transaction: a second connection taken there could wait forever on an exhausted pool. */
    List<String> extremities(DbExecute tx, String roomId) {
        try (Stream<DbRow> rows = tx.createNamedQuery("rooms-extremities-get")
                .params(params("room_id", roomId)).execute()) {
            return rows.map(r -> str(r, "event_id")).toList();
        }
    }

    /** {@link #replaceExtremities} as two statements of {@code writes}, for the local sends' round trip. */
    void addReplaceExtremities(RoundTrip writes, String roomId, List<String> previous, String newExtremity) {
        if (!previous.isEmpty()) {
            List<Object> values = new ArrayList<>();
            values.add(roomId);
            values.addAll(previous);
            writes.add("DELETE FROM forward_extremities WHERE room_id = ? AND event_id IN ("
                    + String.join(", ", java.util.Collections.nCopies(previous.size(), "?")) + ")", values);
        }
        writes.add("INSERT INTO forward_extremities (room_id, event_id) VALUES (?, ?)", List.of(roomId, newExtremity));
    }

    /** The extremities {@code removed} deleted and {@code added} inserted, as statements of {@code writes}. */
    void addExtremityChanges(RoundTrip writes, String roomId, List<String> removed, List<String> added) {
        if (!removed.isEmpty()) {
            List<Object> values = new ArrayList<>();
            values.add(roomId);
            values.addAll(removed);
            writes.add("DELETE FROM forward_extremities WHERE room_id = ? AND event_id IN ("
                    + String.join(", ", java.util.Collections.nCopies(removed.size(), "?")) + ")", values);
        }
        if (!added.isEmpty()) {
            List<Object> values = new ArrayList<>();
            added.forEach(id -> java.util.Collections.addAll(values, roomId, id));
            writes.add("INSERT INTO forward_extremities (room_id, event_id) VALUES " + RoundTrip.rows(added.size(), 2),
                    values);
        }
    }

    void replaceExtremities(DbExecute tx, String roomId, List<String> previous, String newExtremity) {
        // The usual case, one extremity followed by one: a single statement.
        if (previous.size() == 1 && tx.createNamedUpdate("rooms-extremity-replace").params(params("room_id", roomId,
                "event_id", previous.getFirst(), "new_event_id", newExtremity)).execute() == 1) {
            return;
        }
        for (String old : previous) {
            tx.createNamedDelete("rooms-extremity-delete").params(params("room_id", roomId, "event_id", old)).execute();
        }
        tx.createNamedInsert("rooms-extremity-insert").params(params("room_id", roomId, "event_id", newExtremity))
                .execute();
    }

    void upsertMembership(DbExecute tx, String roomId, String userId, String membership, String eventId, long pos) {
        tx.createNamedInsert("rooms-membership-upsert").params(params("room_id", roomId, "user_id", userId,
                "membership", membership, "event_id", eventId, "stream_ordering", pos)).execute();
        Database.afterCommit(() -> membershipChanged(roomId, userId));
    }

    private void membershipChanged(String roomId, String userId) {
        membershipsOfUser.invalidate(userId);
        membersOfRoom.invalidate(roomId);
    }

    Optional<Membership> membership(String roomId, String userId) {
        return Optional.ofNullable(roomMembers(roomId).byUser().get(userId));
    }

    List<Membership> membershipsOfUser(String userId) {
        return membershipsOfUser.get(userId, u -> {
            try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-memberships-of-user")
                    .params(params("user_id", u)).execute()) {
                return rows.map(EventRepository::membership).toList();
            }
        });
    }

    List<Membership> membersOfRoom(String roomId) {
        return roomMembers(roomId).all();
    }

    private RoomMembers roomMembers(String roomId) {
        return membersOfRoom.get(roomId, r -> {
            try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-members-of-room")
                    .params(params("room_id", r)).execute()) {
                List<Membership> all = rows.map(EventRepository::membership).toList();
                Map<String, Membership> byUser = new HashMap<>();
                all.forEach(m -> byUser.put(m.userId(), m));
                return new RoomMembers(all, Map.copyOf(byUser));
            }
        });
    }

    boolean forget(String roomId, String userId) {
        try {
            return database.execute().createNamedUpdate("rooms-membership-forget")
                    .params(params("room_id", roomId, "user_id", userId)).execute() > 0;
        } finally {
            // Its own autocommit statement: committed (or not) already.
            membershipChanged(roomId, userId);
        }
    }

    /** A client transaction ID to record with the event sent under it. */
    record TxnRow(String userId, RoomEngine.Txn txn, String eventId) {}

    /**
     * Records {@code rows} with one statement that skips keys already taken: its update count (the first of
     * {@code writes} when added first) below {@code rows.size()} means some are retries, see {@link #earlierTxns}.
     * A concurrent insert of the same key waits for the other commit, so two sends never both record one key.
     */
    void addTxns(RoundTrip writes, List<TxnRow> rows) {
        List<Object> values = new ArrayList<>();
        for (TxnRow row : rows) {
            values.add(txnKey(row.userId(), row.txn()));
            values.add(row.eventId());
        }
        writes.add("INSERT IGNORE INTO event_txns (txn_key, event_id) VALUES " + RoundTrip.rows(rows.size(), 2),
                values);
    }

    /**
     * For each row, null when it is recorded with its own event, or the event ID recorded earlier under the same
     * key (a send committed before: by an earlier process, or one the engine's memory has forgotten).
     */
    List<String> earlierTxns(DbExecute tx, List<TxnRow> rows) {
        List<byte[]> keys = rows.stream().map(r -> txnKey(r.userId(), r.txn())).toList();
        Map<java.nio.ByteBuffer, String> recorded = new HashMap<>();
        try (Stream<DbRow> found = tx.createQuery("SELECT txn_key, event_id FROM event_txns WHERE txn_key IN ("
                + String.join(", ", java.util.Collections.nCopies(keys.size(), "?")) + ")")
                .params(new ArrayList<Object>(keys)).execute()) {
            found.forEach(r -> recorded.put(java.nio.ByteBuffer.wrap(r.column("txn_key").get(byte[].class)),
                    str(r, "event_id")));
        }
        List<String> earlier = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            String id = recorded.get(java.nio.ByteBuffer.wrap(keys.get(i)));
            earlier.add(id != null && !id.equals(rows.get(i).eventId()) ? id : null);
        }
        return earlier;
    }

    private static byte[] txnKey(String userId, RoomEngine.Txn txn) {
        try {
            var sha = java.security.MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {userId, txn.deviceId(), txn.scope(), txn.txnId()}) {
                byte[] bytes = part.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                // Length-prefixed, so no two different tuples hash the same bytes.
                sha.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                sha.update(bytes);
            }
            return sha.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Membership membership(DbRow r) {
        return new Membership(str(r, "room_id"), str(r, "user_id"), str(r, "membership"), str(r, "event_id"),
                lng(r, "stream_ordering"), bool(r, "forgotten"));
    }

    private static StoredEvent event(DbRow r) {
        Pdu pdu = new Pdu(str(r, "event_id"), Json.parseObject(str(r, "json")));
        return new StoredEvent(pdu, str(r, "room_id"), lng(r, "stream_ordering"), bool(r, "rejected"),
                bool(r, "soft_failed"), str(r, "redacted_because"), lng(r, "state_group"), lng(r, "state_group_after"),
                str(r, "txn_device_id"), str(r, "txn_id"), bool(r, "outlier"), str(r, "rejected_reason"));
    }
}
