package org.hearth.federation.send;

import jakarta.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.port.OutboundPdus;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.Rows;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.federation.client.FederationClient;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.event.Pdu;

/**
 * Spec: Server-Server API, "Transactions": events this server's users send go to every other server with a member
 * joined to the room, through one ordered queue per destination, persisted in the database; at most one
 * transaction in flight per destination, at most 50 PDUs and 100 EDUs (read receipts, device lists, to-device,
 * presence; typing notices ride along from memory, never persisted) each, retried with
 * exponential backoff (1 s doubling to 10 min) until the destination answers, its body frozen so a retry (also after
 * a restart) is the same transaction. A request from the destination ends its backoff; new items do not. After a restart every
 * destination with pending items is resumed. A destination that fell more than {@link #CATCH_UP_BOUND} PDUs behind
 * while unreachable (a failed attempt since its queue was last empty, or pending items found at start) gets only the
 * latest PDU of each room and fetches the rest with {@code /get_missing_events}, as Synapse does. One that answers
 * every transaction gets everything, however far behind: it is slower than this server's senders, not away, and
 * what it would fetch is capped ({@code max_missing_events}), the rest a hole in its users' timelines.
 */
public final class TransactionQueue implements EventNotifier, OutboundPdus, org.hearth.core.port.EphemeralEvents,
        AutoCloseable {
    private static final Logger LOG = System.getLogger(TransactionQueue.class.getName());
    static final int MAX_PDUS = 50;
    static final int MAX_EDUS = 100;
    static final int CATCH_UP_BOUND = 50 * 10;
    static final long FIRST_RETRY_MS = 1000;
    static final long MAX_RETRY_MS = 10 * 60 * 1000;
    // A typing notice older than this is not sent any more (nor one whose own timeout has passed).
    static final long TYPING_FRESH_MS = 30_000;

    private final String ownName;
    private final RoomReader reader;
    private final FederationClient client;
    private final Database database;
    private final Clock clock;
    /** Per room, how far its timeline was read for the outbox; also the lock that serializes that reading. */
    private static final class ReadUpTo {
        long position;

        ReadUpTo(long position) {
            this.position = position;
        }
    }

    private final Map<String, ReadUpTo> sentUpTo = new ConcurrentHashMap<>();
    private final Map<String, Sender> senders = new ConcurrentHashMap<>();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    // Events the room engine queued in their own commit (see persisting), so eventsPersisted does not queue them again.
    // Each with the destinations it was queued for (a banned user's server is no longer among the room's).
    private final Cache<String, Set<String>> queuedInCommit = Caffeine.newBuilder().maximumSize(100_000).build();
    private final Cache<String, RoomServers> serversOfRoom = Caffeine.newBuilder().maximumSize(10_000).build();
    private final AtomicLong txnCounter;
    private final long startPosition;
    private volatile boolean closed;

    public TransactionQueue(String ownName, RoomReader reader, FederationClient client, Database database, Clock clock) {
        this.ownName = ownName;
        this.reader = reader;
        this.client = client;
        this.database = database;
        this.clock = clock;
        this.txnCounter = new AtomicLong(clock.millis() * 1000);
        this.startPosition = reader.currentPosition();
    }

    /**
     * Whether a thread works on a destination's queue, the wake-up of its backoff wait, and the typing notices for
     * it: kept in memory only (latest per room and user, guarded by the Sender's lock), sent with the next attempt
     * and dropped if that fails or when stale, so no old typing notice goes out after an outage or a restart.
     */
    private static final class Sender {
        boolean running;
        // Whether the destination may have been away since its queue was last empty: only then is catch-up used.
        volatile boolean unreachableSinceEmpty;
        final Semaphore wake = new Semaphore(0);
        final Map<String, Typing> typing = new java.util.LinkedHashMap<>();
    }

    private record Typing(JsonObject edu, long expiresAt) {}

    /** Starts sending to every destination that has items left from before a restart. */
    public void resume() {
        List<String> destinations;
        try (Stream<DbRow> rows = database.execute().createNamedQuery("federation-outbox-destinations").execute()) {
            destinations = rows.map(r -> Rows.str(r, "destination")).toList();
        }
        // Items left from before the restart: it is not known how long the destinations waited for them.
        destinations.forEach(d -> senders.computeIfAbsent(d, k -> new Sender()).unreachableSinceEmpty = true);
        destinations.forEach(this::kick);
    }

    /** The destination talked to us: it is up, so a backoff wait for it ends now. */
    public void heardFrom(String destination) {
        Sender s = senders.get(destination);
        if (s != null) {
            s.wake.release();
        }
    }

    @Override
    public void eventsPersisted(RoomId room, long position, Set<UserId> membershipChanged) {
        List<StoredEvent> local = new ArrayList<>();
        Set<String> queuedFor = new java.util.TreeSet<>();
        // Per room: serialize reading, so each event is queued once and in order.
        ReadUpTo readUpTo = sentUpTo.computeIfAbsent(room.value(), k -> new ReadUpTo(startPosition));
        synchronized (readUpTo) {
            long from = readUpTo.position;
            while (from < position) {
                List<StoredEvent> page = reader.timeline(room, from, position, 100, false);
                if (page.isEmpty()) {
                    break;
                }
                for (StoredEvent e : page) {
                    Set<String> queued = queuedInCommit.asMap().remove(e.eventId());
                    if (queued != null) {
                        queuedFor.addAll(queued);
                    } else if (UserId.tryParse(e.sender()).map(UserId::domain).orElse("").equals(ownName)) {
                        local.add(e);
                    }
                }
                from = page.getLast().streamOrdering();
            }
            readUpTo.position = Math.max(from, position);
            // Already in the outbox since their commit: only wake the senders.
            queuedFor.forEach(this::kick);
            if (local.isEmpty()) {
                return;
            }
            Set<String> destinations = withMembershipTargets(destinations(room), local);
            // Local events the engine did not queue in their commit (none expected: a safety net, e.g. after the
            // queuedInCommit cache evicted an entry): queued now, in order under the room's lock.
            enqueue(destinations, local.stream().map(e -> e.pdu().json()).toList(), null);
        }
    }

    @Override
    public void persisting(DbExecute tx, Set<String> destinations, List<StoredEvent> events) {
        org.hearth.core.storage.RoundTrip writes = new org.hearth.core.storage.RoundTrip();
        persisting(tx, writes, destinations, events);
        writes.send(tx);
    }

    /** Every (destination, event) row of the commit in one multi-row insert. */
    @Override
    public void persisting(DbExecute tx, org.hearth.core.storage.RoundTrip writes, Set<String> destinations,
                           List<StoredEvent> events) {
        Set<String> all = withMembershipTargets(new java.util.TreeSet<>(destinations), events);
        List<String> jsons = events.stream().map(e -> e.pdu().json().toString()).toList();
        List<Object> rows = new java.util.ArrayList<>();
        for (String destination : all) {
            for (String json : jsons) {
                java.util.Collections.addAll(rows, destination, "pdu", json);
            }
        }
        if (!rows.isEmpty()) {
            writes.add("INSERT INTO federation_outbox (destination, kind, json) VALUES "
                    + org.hearth.core.storage.RoundTrip.rows(rows.size() / 3, 3), rows);
        }
        // Bounded; an entry of a commit rolled back is never looked up (its event IDs are never announced).
        Set<String> queuedFor = Set.copyOf(all);
        events.forEach(e -> queuedInCommit.put(e.eventId(), queuedFor));
    }

    /** {@code destinations} plus the servers of remote users whose membership {@code events} change (invites...). */
    private Set<String> withMembershipTargets(Set<String> destinations, List<StoredEvent> events) {
        for (StoredEvent e : events) {
            if ("m.room.member".equals(e.type())) {
                e.stateKey().flatMap(UserId::tryParse).map(UserId::domain).filter(d -> !d.equals(ownName))
                        .ifPresent(destinations::add);
            }
        }
        return destinations;
    }

    /** The other servers with a member joined to {@code room} (a set of the caller's own). */
    @Override
    public Set<String> destinations(RoomId room) {
        List<Membership> members = reader.members(room);
        RoomServers known = serversOfRoom.getIfPresent(room.value());
        if (known == null || known.members() != members) {
            Set<String> servers = new java.util.TreeSet<>();
            for (Membership m : members) {
                if (m.membership().equals(Membership.JOIN)) {
                    UserId.tryParse(m.userId()).map(UserId::domain).filter(d -> !d.equals(ownName))
                            .ifPresent(servers::add);
                }
            }
            known = new RoomServers(members, Set.copyOf(servers));
            serversOfRoom.put(room.value(), known);
        }
        return new java.util.TreeSet<>(known.servers());
    }

    /**
     * The servers of one members list of a room. The reader hands out a new list whenever the room's membership
     * changes, so the same list means the same servers: every local send asks, and parsing each member's user ID
     * every time was ~2% of a send's CPU in a 1,000-member room.
     */
    private record RoomServers(List<Membership> members, Set<String> servers) {}

    @Override
    public void typing(UserId user, RoomId room, boolean typing, long timeoutMs) {
        if (!user.domain().equals(ownName)) {
            return;
        }
        JsonObject edu = Json.objectBuilder().add("edu_type", "m.typing").add("content", Json.objectBuilder()
                .add("room_id", room.value()).add("user_id", user.value()).add("typing", typing)).build();
        long expiresAt = clock.millis() + (typing ? Math.min(Math.max(timeoutMs, 0), TYPING_FRESH_MS) : TYPING_FRESH_MS);
        for (String destination : destinations(room)) {
            Sender s = senders.computeIfAbsent(destination, d -> new Sender());
            synchronized (s) {
                s.typing.put(room.value() + "\n" + user.value(), new Typing(edu, expiresAt));
            }
            kick(destination);
        }
    }

    @Override
    public void receipt(UserId user, RoomId room, String type, String eventId, String threadId, long ts) {
        if (!user.domain().equals(ownName)) {
            return;
        }
        var data = Json.objectBuilder().add("ts", ts);
        if (!threadId.isEmpty()) {
            data.add("thread_id", threadId);
        }
        JsonObject edu = Json.objectBuilder().add("edu_type", "m.receipt").add("content", Json.objectBuilder()
                .add(room.value(), Json.objectBuilder().add(type, Json.objectBuilder().add(user.value(),
                        Json.objectBuilder().add("data", data).add("event_ids", Json.arrayBuilder().add(eventId))))))
                .build();
        enqueue(destinations(room), List.of(), edu);
    }

    /** An EDU for {@code destination}, sent after what is queued for it. */
    public void sendEdu(String destination, JsonObject edu) {
        if (!destination.equals(ownName)) {
            enqueue(Set.of(destination), List.of(), edu);
        }
    }

    private void enqueue(Set<String> destinations, List<JsonObject> pdus, JsonObject edu) {
        if (destinations.isEmpty()) {
            return;
        }
        database.transaction(tx -> {
            for (String destination : destinations) {
                for (JsonObject pdu : pdus) {
                    tx.createNamedInsert("federation-outbox-insert").params(Rows.params("destination", destination,
                            "kind", "pdu", "json", pdu.toString())).execute();
                }
                if (edu != null) {
                    tx.createNamedInsert("federation-outbox-insert").params(Rows.params("destination", destination,
                            "kind", "edu", "json", edu.toString())).execute();
                }
            }
            return null;
        });
        destinations.forEach(this::kick);
    }

    /** Makes sure a thread sends the destination's queue (one waiting out a backoff keeps waiting). */
    private void kick(String destination) {
        Sender s = senders.computeIfAbsent(destination, d -> new Sender());
        synchronized (s) {
            if (closed) {
                return;
            }
            if (s.running) {
                // Not woken from a backoff wait: a new item goes with the next attempt. Retrying at every new
                // event would double the wait each time and leave a peer that is back unserved for minutes.
                return;
            }
            s.running = true;
        }
        threads.execute(() -> drain(destination, s));
    }

    /** A transaction: its ID, the last outbox row it carries, its body. */
    /**
     * {@code ids}: the outbox rows it carries, known while this process built it; null for one found in flight at
     * start. Only those rows are deleted once it is sent: a row with a lower ID may have been inserted by a commit
     * still open when the head was read, so "every row up to lastId" could take one that was never sent.
     */
    private record InFlight(String txnId, long lastId, JsonObject body, List<Long> ids) {}

    private void drain(String destination, Sender s) {
        long delay = FIRST_RETRY_MS;
        try {
            InFlight retried = null;
            while (!closed) {
                InFlight txn = inFlight(destination);
                // The database says what is in flight (it may have been dropped); the copy in memory knows its rows.
                if (retried != null && txn != null && retried.txnId().equals(txn.txnId())) {
                    txn = retried;
                }
                retried = null;
                List<JsonObject> typing;
                synchronized (s) {
                    // Checked under the lock kick takes, so an item queued now finds running false and starts us.
                    if (txn == null) {
                        txn = nextTransaction(destination, s);
                    }
                    typing = takeTyping(s, txn == null ? 0 : txn.body().getJsonArray("edus").size());
                    if (txn == null && typing.isEmpty()) {
                        s.running = false;
                        return;
                    }
                }
                try {
                    if (txn == null) {
                        // Typing only: not persisted, tried once.
                        client.request("PUT", destination, "/_matrix/federation/v1/send/" + txnCounter.incrementAndGet(),
                                withEdus(Json.objectBuilder().add("origin", ownName)
                                        .add("origin_server_ts", clock.millis()).add("pdus", Json.arrayBuilder())
                                        .add("edus", Json.arrayBuilder()).build(), typing), true);
                        continue;
                    }
                    // The frozen body plus fresh typing notices: a retry of a transaction the destination already
                    // has is answered from its cache, and those notices are lost, as typing notices may be.
                    client.request("PUT", destination, "/_matrix/federation/v1/send/" + txn.txnId(),
                            withEdus(txn.body(), typing), true);
                } catch (RuntimeException e) {
                    if (txn == null) {
                        continue;
                    }
                    retried = txn;
                    s.unreachableSinceEmpty = true;
                    LOG.log(Level.INFO, "transaction " + txn.txnId() + " to " + destination + " failed, retrying in "
                            + delay + " ms: " + e.getMessage());
                    s.wake.drainPermits();
                    s.wake.tryAcquire(delay, TimeUnit.MILLISECONDS);
                    delay = Math.min(delay * 2, MAX_RETRY_MS);
                    continue;
                }
                delay = FIRST_RETRY_MS;
                InFlight sent = txn;
                database.transaction(tx -> {
                    if (sent.ids() == null) {
                        tx.createNamedDelete("federation-outbox-delete-upto").params(Rows.params("destination",
                                destination, "last_id", sent.lastId())).execute();
                    } else {
                        // One statement for the transaction's rows, not one each (up to 150 round trips).
                        new org.hearth.core.storage.RoundTrip().add("DELETE FROM federation_outbox WHERE id IN ("
                                + String.join(", ", java.util.Collections.nCopies(sent.ids().size(), "?")) + ")",
                                sent.ids()).send(tx);
                    }
                    tx.createNamedDelete("federation-in-flight-delete").params(Rows.params("destination", destination))
                            .execute();
                    return null;
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "sending to " + destination + " stopped: " + e);
        }
        synchronized (s) {
            s.running = false;
        }
    }

    /** The destination's typing notices still fresh, at most what fits beside {@code edusTaken}; all are removed. */
    private List<JsonObject> takeTyping(Sender s, int edusTaken) {
        long now = clock.millis();
        List<JsonObject> fresh = s.typing.values().stream().filter(t -> t.expiresAt() > now).map(Typing::edu)
                .limit(Math.max(0, MAX_EDUS - edusTaken)).toList();
        s.typing.clear();
        return fresh;
    }

    private static JsonObject withEdus(JsonObject body, List<JsonObject> edus) {
        if (edus.isEmpty()) {
            return body;
        }
        var all = jakarta.json.Json.createArrayBuilder(body.getJsonArray("edus"));
        edus.forEach(all::add);
        return jakarta.json.Json.createObjectBuilder(body).add("edus", all).build();
    }

    private InFlight inFlight(String destination) {
        return database.execute().createNamedGet("federation-in-flight-get")
                .params(Rows.params("destination", destination)).execute()
                .map(r -> new InFlight(Rows.str(r, "txn_id"), Rows.lng(r, "last_id"),
                        Json.parseObject(Rows.str(r, "body")), null)).orElse(null);
    }

    /**
     * The next transaction from the head of the destination's outbox (a prefix of it, so order is kept), frozen as
     * the transaction in flight; null when the outbox is empty.
     */
    private InFlight nextTransaction(String destination, Sender s) {
        if (s.unreachableSinceEmpty) {
            catchUp(destination);
        }
        List<JsonObject> pdus = new ArrayList<>();
        List<JsonObject> edus = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        long lastId = -1;
        try (Stream<DbRow> rows = database.execute().createNamedQuery("federation-outbox-head")
                .params(Rows.params("destination", destination, "lim", MAX_PDUS + MAX_EDUS)).execute()) {
            for (DbRow r : (Iterable<DbRow>) rows::iterator) {
                boolean pdu = "pdu".equals(Rows.str(r, "kind"));
                if (pdu ? pdus.size() == MAX_PDUS : edus.size() == MAX_EDUS) {
                    break;
                }
                (pdu ? pdus : edus).add(Json.parseObject(Rows.str(r, "json")));
                lastId = Rows.lng(r, "id");
                ids.add(lastId);
            }
        }
        if (lastId < 0) {
            s.unreachableSinceEmpty = false;
            return null;
        }
        String txnId = Long.toString(txnCounter.incrementAndGet());
        JsonObject body = Json.objectBuilder().add("origin", ownName).add("origin_server_ts", clock.millis())
                .add("pdus", jakarta.json.Json.createArrayBuilder(pdus))
                .add("edus", jakarta.json.Json.createArrayBuilder(edus)).build();
        long last = lastId;
        database.execute().createNamedInsert("federation-in-flight-insert").params(Rows.params("destination",
                destination, "txn_id", txnId, "last_id", last, "body", body.toString())).execute();
        return new InFlight(txnId, lastId, body, List.copyOf(ids));
    }

    /**
     * Too far behind: keeps only the newest pending PDU of each room. The destination fetches what lies between
     * with {@code /get_missing_events} (or the state before it with {@code /state_ids}).
     */
    private void catchUp(String destination) {
        long pending = database.execute().createNamedGet("federation-outbox-pdu-count")
                .params(Rows.params("destination", destination)).execute().map(r -> Rows.lng(r, "n")).orElse(0L);
        if (pending <= CATCH_UP_BOUND) {
            return;
        }
        Map<String, Long> newestOfRoom = new java.util.HashMap<>();
        List<Long> all = new ArrayList<>();
        try (Stream<DbRow> rows = database.execute().createNamedQuery("federation-outbox-pdus")
                .params(Rows.params("destination", destination)).execute()) {
            rows.forEach(r -> {
                long id = Rows.lng(r, "id");
                all.add(id);
                newestOfRoom.put(new Pdu(null, Json.parseObject(Rows.str(r, "json"))).roomId().orElse(""), id);
            });
        }
        Set<Long> kept = Set.copyOf(newestOfRoom.values());
        database.transaction(tx -> {
            for (long id : all) {
                if (!kept.contains(id)) {
                    tx.createNamedDelete("federation-outbox-delete-one").params(Rows.params("id", id)).execute();
                }
            }
            return null;
        });
        LOG.log(Level.INFO, destination + " is " + pending + " PDUs behind: sending the newest of "
                + kept.size() + " rooms, it fetches the rest");
    }

    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
    }
}
