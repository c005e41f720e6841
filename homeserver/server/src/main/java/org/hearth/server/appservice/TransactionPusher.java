package org.hearth.server.appservice;

import jakarta.json.JsonArrayBuilder;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.hearth.core.appservice.AppService;
import org.hearth.core.appservice.AppServiceQueue;
import org.hearth.core.appservice.AppServices;
import org.hearth.core.port.EphemeralEvents;
import org.hearth.core.port.EventNotifier;
import jakarta.json.JsonObject;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.client.ClientEvents;
import org.hearth.server.http.Requester;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Pushes events to application services (spec: "Pushing events"): one worker per appservice with a URL reads the
 * event stream from its persisted position, freezes the events it is interested in into the next transaction
 * ({@link AppServiceQueue}), and sends the oldest unacknowledged transaction, one at a time, retrying with
 * exponential backoff (1 s doubling to 5 min, Synapse's order of magnitude) while the appservice is down.
 */
public final class TransactionPusher implements EventNotifier, EphemeralEvents, AutoCloseable {
    private static final Logger LOG = System.getLogger(TransactionPusher.class.getName());
    private static final int BATCH = 100;
    private static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);
    // A wake-up is never lost (a permit waits), but a periodic look also covers events committed by other paths.
    private static final Duration IDLE_POLL = Duration.ofSeconds(5);

    private final AppServices appServices;
    private final AppServiceQueue queue;
    private final RoomReader reader;
    private final ClientEvents format;
    private final Clock clock;
    private final HttpClient http;
    private final Map<String, Semaphore> wakeUps = new HashMap<>();
    // Ephemeral events wait in memory until the next transaction is built (as Synapse: not persisted before that).
    private final Map<String, ConcurrentLinkedQueue<Ephemeral>> ephemeral = new HashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    public TransactionPusher(AppServices appServices, AppServiceQueue queue, RoomReader reader, ClientEvents format,
                             Clock clock) {
        this.appServices = appServices;
        this.queue = queue;
        this.reader = reader;
        this.format = format;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        for (AppService as : appServices.all()) {
            if (as.url() != null) {
                wakeUps.put(as.id(), new Semaphore(0));
                ephemeral.put(as.id(), new ConcurrentLinkedQueue<>());
            }
        }
    }

    /** Starts one worker per appservice with a URL; an appservice new to this server starts at the current position. */
    public void start() {
        for (AppService as : appServices.all()) {
            if (as.url() == null) {
                continue;
            }
            AppServiceQueue.Cursor cursor = queue.cursor(as.id(), reader.currentPosition());
            workers.add(Thread.ofVirtual().name("appservice-" + as.id()).start(() -> run(as, cursor)));
        }
    }

    @Override
    public void eventsPersisted(RoomId room, long position, Set<UserId> membershipChanged) {
        wakeUps.values().forEach(Semaphore::release);
    }

    /** An ephemeral event waiting for its transaction: of a room, of a user's presence, or a to-device message. */
    private record Ephemeral(RoomId room, UserId user, boolean toDevice, JsonObject event) {}

    @Override
    public void roomEphemeral(RoomId room, JsonObject event) {
        offer(new Ephemeral(room, null, false, event), true);
    }

    @Override
    public void presence(UserId user, JsonObject event) {
        offer(new Ephemeral(null, user, false, event), true);
    }

    @Override
    public void toDevice(UserId recipient, JsonObject message) {
        offer(new Ephemeral(null, recipient, true, message), false);
    }

    private void offer(Ephemeral e, boolean needsEphemeralFlag) {
        for (AppService as : appServices.all()) {
            var queue = ephemeral.get(as.id());
            // To-device messages go to the MSC2409 key for namespaced recipients; the rest needs receive_ephemeral.
            if (queue == null || !as.receiveEphemeral()
                    || e.toDevice() && !as.isInterestedInUser(e.user().value())) {
                continue;
            }
            queue.add(e);
            wakeUps.get(as.id()).release();
        }
    }

    private void run(AppService as, AppServiceQueue.Cursor start) {
        AppServiceQueue.Cursor cursor = start;
        Duration backoff = MIN_BACKOFF;
        Semaphore wake = wakeUps.get(as.id());
        while (!closed) {
            try {
                var pending = queue.oldest(as.id());
                if (pending.isPresent()) {
                    if (send(as, pending.get())) {
                        queue.acknowledged(as.id(), pending.get().txnId());
                        backoff = MIN_BACKOFF;
                    } else {
                        Thread.sleep(backoff);
                        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                    }
                    continue;
                }
                long upTo = reader.currentPosition();
                List<AppServiceQueue.StreamEvent> events = queue.eventsAfter(cursor.eventPosition(), upTo, BATCH);
                List<Ephemeral> edus = new ArrayList<>();
                for (Ephemeral e; edus.size() < BATCH && (e = ephemeral.get(as.id()).poll()) != null; ) {
                    edus.add(e);
                }
                if (events.isEmpty() && edus.isEmpty()) {
                    wake.drainPermits();
                    if (ephemeral.get(as.id()).isEmpty()) {
                        wake.tryAcquire(IDLE_POLL.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    continue;
                }
                long position = events.isEmpty() ? cursor.eventPosition() : events.getLast().position();
                cursor = queue.advance(as.id(), cursor, position, body(as, events, edus), clock.millis());
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "appservice " + as.id() + ": transaction worker failed; retrying", e);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** The transaction body for the events {@code as} is interested in, or null when there are none. */
    private String body(AppService as, List<AppServiceQueue.StreamEvent> events, List<Ephemeral> edus) {
        JsonArrayBuilder out = Json.arrayBuilder();
        Map<String, Boolean> roomInterest = new HashMap<>();
        Requester viewer = new Requester(as.sender(), null, false, as);
        int count = 0;
        for (var e : events) {
            var stored = reader.event(e.eventId());
            if (stored.isEmpty()) {
                continue;
            }
            if (interested(as, stored.get(), roomInterest)) {
                out.add(format.format(stored.get(), viewer));
                count++;
            }
        }
        JsonArrayBuilder rooms = Json.arrayBuilder();
        JsonArrayBuilder toDevice = Json.arrayBuilder();
        int roomCount = 0;
        int toDeviceCount = 0;
        for (Ephemeral e : edus) {
            if (e.toDevice()) {
                toDevice.add(e.event());
                toDeviceCount++;
            } else if (e.room() != null ? roomInterest.computeIfAbsent(e.room().value(), r -> interestedInRoom(as, r))
                    : interestedInPresence(as, e.user(), roomInterest)) {
                rooms.add(e.event());
                roomCount++;
            }
        }
        if (count + roomCount + toDeviceCount == 0) {
            return null;
        }
        var body = Json.objectBuilder().add("events", out);
        if (roomCount > 0) {
            // The stable key of the spec and MSC2409's unstable one, which bridges still read.
            var list = rooms.build();
            body.add("ephemeral", list).add("de.sorunome.msc2409.ephemeral", list);
        }
        if (toDeviceCount > 0) {
            body.add("de.sorunome.msc2409.to_device", toDevice);
        }
        return body.build().toString();
    }

    /** A namespaced user's presence, or that of someone in a room the appservice is interested in. */
    private boolean interestedInPresence(AppService as, UserId user, Map<String, Boolean> roomInterest) {
        if (as.isInterestedInUser(user.value())) {
            return true;
        }
        for (Membership m : reader.memberships(user)) {
            if ("join".equals(m.membership()) && roomInterest.computeIfAbsent(m.roomId(), r -> interestedInRoom(as, r))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Spec "Pushing events": the sender or a member event's target in a users namespace, the room in a rooms
     * namespace, or (as Synapse) a room with a namespaced member or a namespaced alias.
     */
    private boolean interested(AppService as, StoredEvent e, Map<String, Boolean> roomInterest) {
        if (as.isInterestedInUser(e.sender())) {
            return true;
        }
        if (e.type().equals("m.room.member") && e.stateKey().map(as::isInterestedInUser).orElse(false)) {
            return true;
        }
        return roomInterest.computeIfAbsent(e.roomId(), room -> interestedInRoom(as, room));
    }

    private boolean interestedInRoom(AppService as, String roomId) {
        if (as.isInterestedInRoom(roomId)) {
            return true;
        }
        RoomId room = RoomId.parse(roomId);
        for (Membership m : reader.members(room)) {
            if (("join".equals(m.membership()) || "invite".equals(m.membership())) && as.isInterestedInUser(m.userId())) {
                return true;
            }
        }
        var canonical = reader.currentStateEvent(room, "m.room.canonical_alias", "");
        if (canonical.isPresent()) {
            var content = canonical.get().pdu().content();
            if (content.containsKey("alias") && content.get("alias") instanceof jakarta.json.JsonString s
                    && as.isInterestedInAlias(s.getString())) {
                return true;
            }
        }
        return false;
    }

    /** PUT the transaction; true when the appservice acknowledged it (any 2xx). */
    private boolean send(AppService as, AppServiceQueue.Transaction txn) throws InterruptedException {
        URI uri = URI.create(as.url() + "/_matrix/app/v1/transactions/"
                + URLEncoder.encode(Long.toString(txn.txnId()), StandardCharsets.UTF_8));
        var request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + as.hsToken())
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(txn.body()))
                .build();
        try {
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 == 2) {
                return true;
            }
            LOG.log(Level.WARNING, "appservice " + as.id() + " answered " + response.statusCode() + " to transaction "
                    + txn.txnId() + "; will retry");
        } catch (IOException e) {
            LOG.log(Level.INFO, "appservice " + as.id() + " unreachable (" + e + "); will retry transaction " + txn.txnId());
        }
        return false;
    }

    @Override
    public void close() {
        closed = true;
        workers.forEach(Thread::interrupt);
        for (Thread t : workers) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "appservice transactions";
    }
}
