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
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.hearth.core.storage.Database;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/** Events, their edges, extremities, memberships, aliases and client transaction IDs in SQL. */
final class EventRepository {
    private final Database database;
    private final Cache<String, StoredEvent> events = Caffeine.newBuilder().maximumSize(50_000).build();

    EventRepository(Database database) {
        this.database = database;
    }

    long maxStreamOrdering() {
        return database.execute().namedGet("rooms-max-stream").map(r -> lng(r, "n")).orElse(0L);
    }

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

    /** Up to {@code limit} accepted events of the room with {@code to < stream_ordering <= from}, newest first. */
    List<StoredEvent> backward(String roomId, long from, long to, int limit, long minTs) {
        return query("rooms-timeline-backward", roomId, from, to, limit, minTs);
    }

    /** Up to {@code limit} accepted events of the room with {@code from < stream_ordering <= to}, oldest first. */
    List<StoredEvent> forward(String roomId, long from, long to, int limit, long minTs) {
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
        Pdu pdu = e.pdu();
        tx.createNamedInsert("rooms-event-insert").params(params(
                "stream_ordering", e.streamOrdering(), "event_id", pdu.eventId(), "room_id", e.roomId(),
                "type", pdu.type(), "state_key", pdu.stateKey().orElse(null), "sender", pdu.sender(),
                "depth", pdu.depth(), "origin_server_ts", pdu.originServerTs(),
                "json", CanonicalJson.encodeLenient(pdu.json()), "rejected", e.rejected(), "soft_failed", e.softFailed(),
                "outlier", e.outlier(), "rejected_reason", e.rejectedReason(),
                "state_group", e.stateGroup(), "state_group_after", e.stateGroupAfter(),
                "txn_device_id", e.txnDeviceId(), "txn_id", e.txnId())).execute();
        for (String prev : pdu.prevEvents()) {
            tx.createNamedInsert("rooms-edge-insert").params(params("event_id", pdu.eventId(),
                    "prev_event_id", prev, "room_id", e.roomId())).execute();
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

    /** Caches events once their transaction committed. */
    void committed(StoredEvent e) {
        events.put(e.eventId(), e);
    }

    /** Drops a purged event from the cache, so the next read sees its pruned JSON. */
    void purged(String eventId) {
        events.invalidate(eventId);
    }

    boolean markRedacted(DbExecute tx, String eventId, String redactionId) {
        return tx.createNamedUpdate("rooms-event-set-redacted")
                .params(params("event_id", eventId, "redacted_because", redactionId)).execute() > 0;
    }

    void redactedCommitted(String eventId, String redactionId) {
        StoredEvent cached = events.getIfPresent(eventId);
        if (cached != null) {
            events.put(eventId, cached.withRedactedBecause(redactionId));
        }
    }

    List<String> extremities(String roomId) {
        try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-extremities-get")
                .params(params("room_id", roomId)).execute()) {
            return rows.map(r -> str(r, "event_id")).toList();
        }
    }

    void replaceExtremities(DbExecute tx, String roomId, List<String> previous, String newExtremity) {
        for (String old : previous) {
            tx.createNamedDelete("rooms-extremity-delete").params(params("room_id", roomId, "event_id", old)).execute();
        }
        tx.createNamedInsert("rooms-extremity-insert").params(params("room_id", roomId, "event_id", newExtremity))
                .execute();
    }

    void upsertMembership(DbExecute tx, String roomId, String userId, String membership, String eventId, long pos) {
        tx.createNamedInsert("rooms-membership-upsert").params(params("room_id", roomId, "user_id", userId,
                "membership", membership, "event_id", eventId, "stream_ordering", pos)).execute();
    }

    Optional<Membership> membership(String roomId, String userId) {
        return database.execute().createNamedGet("rooms-membership-get")
                .params(params("room_id", roomId, "user_id", userId)).execute().map(EventRepository::membership);
    }

    List<Membership> membershipsOfUser(String userId) {
        try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-memberships-of-user")
                .params(params("user_id", userId)).execute()) {
            return rows.map(EventRepository::membership).toList();
        }
    }

    List<Membership> membersOfRoom(String roomId) {
        try (Stream<DbRow> rows = database.execute().createNamedQuery("rooms-members-of-room")
                .params(params("room_id", roomId)).execute()) {
            return rows.map(EventRepository::membership).toList();
        }
    }

    boolean forget(String roomId, String userId) {
        return database.execute().createNamedUpdate("rooms-membership-forget")
                .params(params("room_id", roomId, "user_id", userId)).execute() > 0;
    }

    Optional<String> txnEvent(String userId, RoomEngine.Txn txn) {
        return database.execute().createNamedGet("rooms-txn-get").params(params("txn_key", txnKey(userId, txn)))
                .execute().map(r -> str(r, "event_id"));
    }

    void insertTxn(DbExecute tx, String userId, RoomEngine.Txn txn, String eventId) {
        tx.createNamedInsert("rooms-txn-insert").params(params("txn_key", txnKey(userId, txn), "event_id", eventId))
                .execute();
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
