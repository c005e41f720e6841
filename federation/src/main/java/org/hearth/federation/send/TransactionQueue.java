package org.hearth.federation.send;

import jakarta.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.federation.client.FederationClient;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server API, "Transactions": events this server's users send go to every other server with a member
 * joined to the room, through one ordered queue per destination; at most one transaction in flight per destination,
 * at most 50 PDUs and 100 EDUs (typing, read receipts, device lists, to-device, presence) each, retried with exponential backoff (1 s doubling to 10 min) until the destination answers.
 * The queue is in memory: events queued when the server stops are not sent after it restarts.
 */
public final class TransactionQueue implements EventNotifier, org.hearth.core.port.EphemeralChanges, AutoCloseable {
    private static final Logger LOG = System.getLogger(TransactionQueue.class.getName());
    static final int MAX_PDUS = 50;
    static final int MAX_EDUS = 100;
    static final long MAX_RETRY_MS = 10 * 60 * 1000;

    private final String ownName;
    private final RoomReader reader;
    private final FederationClient client;
    private final Clock clock;
    private final Map<String, Long> sentUpTo = new ConcurrentHashMap<>();
    private final Map<String, Queue> queues = new ConcurrentHashMap<>();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong txnCounter;
    private final long startPosition;
    private volatile boolean closed;

    public TransactionQueue(String ownName, RoomReader reader, FederationClient client, Clock clock) {
        this.ownName = ownName;
        this.reader = reader;
        this.client = client;
        this.clock = clock;
        this.txnCounter = new AtomicLong(clock.millis() * 1000);
        this.startPosition = reader.currentPosition();
    }

    /** One destination's PDUs in order, and whether a sender works on them. */
    private static final class Queue {
        final Deque<JsonObject> pdus = new ArrayDeque<>();
        final Deque<JsonObject> edus = new ArrayDeque<>();
        boolean sending;
    }

    @Override
    public void eventsPersisted(RoomId room, long position, Set<UserId> membershipChanged) {
        List<StoredEvent> local = new ArrayList<>();
        // Per room: serialize reading, so each event is queued once and in order.
        synchronized (sentUpTo.computeIfAbsent(room.value(), k -> startPosition)) {
            long from = sentUpTo.get(room.value());
            while (from < position) {
                List<StoredEvent> page = reader.timeline(room, from, position, 100, false);
                if (page.isEmpty()) {
                    break;
                }
                for (StoredEvent e : page) {
                    if (UserId.tryParse(e.sender()).map(UserId::domain).orElse("").equals(ownName)) {
                        local.add(e);
                    }
                }
                from = page.getLast().streamOrdering();
            }
            sentUpTo.put(room.value(), Math.max(from, position));
        }
        if (local.isEmpty()) {
            return;
        }
        Set<String> destinations = destinations(room);
        // A remote user who was just invited or left hears about it too.
        for (StoredEvent e : local) {
            if ("m.room.member".equals(e.type())) {
                e.stateKey().flatMap(UserId::tryParse).map(UserId::domain).filter(d -> !d.equals(ownName))
                        .ifPresent(destinations::add);
            }
        }
        for (String destination : destinations) {
            enqueue(destination, local.stream().map(e -> e.pdu().json()).toList());
        }
    }

    /** The other servers with a member joined to {@code room}. */
    private Set<String> destinations(RoomId room) {
        Set<String> destinations = new java.util.TreeSet<>();
        for (Membership m : reader.members(room)) {
            if (m.membership().equals(Membership.JOIN)) {
                UserId.tryParse(m.userId()).map(UserId::domain).filter(d -> !d.equals(ownName))
                        .ifPresent(destinations::add);
            }
        }
        return destinations;
    }

    @Override
    public void typing(UserId user, RoomId room, boolean typing, long timeoutMs) {
        if (!user.domain().equals(ownName)) {
            return;
        }
        JsonObject edu = Json.objectBuilder().add("edu_type", "m.typing").add("content", Json.objectBuilder()
                .add("room_id", room.value()).add("user_id", user.value()).add("typing", typing)).build();
        destinations(room).forEach(d -> enqueue(d, List.of(), edu));
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
        destinations(room).forEach(d -> enqueue(d, List.of(), edu));
    }

    /** An EDU for {@code destination}, sent after what is queued for it. */
    public void sendEdu(String destination, JsonObject edu) {
        if (!destination.equals(ownName)) {
            enqueue(destination, List.of(), edu);
        }
    }

    private void enqueue(String destination, List<JsonObject> pdus) {
        enqueue(destination, pdus, null);
    }

    private void enqueue(String destination, List<JsonObject> pdus, JsonObject edu) {
        Queue q = queues.computeIfAbsent(destination, d -> new Queue());
        synchronized (q) {
            q.pdus.addAll(pdus);
            if (edu != null) {
                q.edus.add(edu);
            }
            if (q.sending || closed) {
                return;
            }
            q.sending = true;
        }
        senders.execute(() -> drain(destination, q));
    }

    private void drain(String destination, Queue q) {
        long delay = 1000;
        while (!closed) {
            List<JsonObject> batch = new ArrayList<>();
            List<JsonObject> eduBatch = new ArrayList<>();
            synchronized (q) {
                for (JsonObject p : q.pdus) {
                    if (batch.size() == MAX_PDUS) {
                        break;
                    }
                    batch.add(p);
                }
                for (JsonObject e : q.edus) {
                    if (eduBatch.size() == MAX_EDUS) {
                        break;
                    }
                    eduBatch.add(e);
                }
                if (batch.isEmpty() && eduBatch.isEmpty()) {
                    q.sending = false;
                    return;
                }
            }
            String txnId = Long.toString(txnCounter.incrementAndGet());
            JsonObject body = Json.objectBuilder().add("origin", ownName).add("origin_server_ts", clock.millis())
                    .add("pdus", jakarta.json.Json.createArrayBuilder(batch))
                    .add("edus", jakarta.json.Json.createArrayBuilder(eduBatch)).build();
            try {
                // Retries reuse the transaction ID, so a transaction that got through but lost its answer is
                // not processed twice.
                while (true) {
                    try {
                        client.request("PUT", destination, "/_matrix/federation/v1/send/" + txnId, body, true);
                        break;
                    } catch (RuntimeException e) {
                        LOG.log(Level.INFO, "transaction " + txnId + " to " + destination + " failed, retrying in "
                                + delay + " ms: " + e.getMessage());
                        if (closed) {
                            return;
                        }
                        Thread.sleep(delay);
                        delay = Math.min(delay * 2, MAX_RETRY_MS);
                    }
                }
                delay = 1000;
                synchronized (q) {
                    for (int i = 0; i < batch.size(); i++) {
                        q.pdus.pollFirst();
                    }
                    for (int i = 0; i < eduBatch.size(); i++) {
                        q.edus.pollFirst();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        senders.shutdownNow();
    }
}
