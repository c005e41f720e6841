package org.hearth.core.push;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hearth.core.push.PushActions.Notified;
import org.hearth.core.push.Pushers.Pusher;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.Rows;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.push.PushAction;

/**
 * Posts notifications to HTTP pushers' push gateways (spec: Push Gateway API, POST /_matrix/push/v1/notify),
 * off the commit path: each notification is queued in {@code push_queue} per pusher (so a restart resumes the
 * queue, {@link #resume}), drained in order by one virtual thread per pusher while it has work. A failure or 5xx
 * is retried with exponential backoff (as Synapse: from 1 s up to an hour, giving up on a notification after a
 * day), the next attempt's time kept in the row; other answers are final. Pushkeys the gateway lists as
 * {@code rejected} are removed. Only the address the pusher names is contacted: redirects are not followed.
 */
public final class PushGatewaySender implements AutoCloseable {
    private static final Logger LOG = System.getLogger(PushGatewaySender.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration GIVE_UP_AFTER = Duration.ofDays(1);
    // A gateway down for long drops its oldest notifications rather than growing without bound.
    static final int MAX_QUEUED = 1_000;

    private final Database database;
    private final Pushers pushers;
    private final UnreadNotifications unread;
    private final RoomReader reader;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Clock clock;
    private final HttpClient http;
    private final ConcurrentHashMap<Long, AtomicBoolean> draining = new ConcurrentHashMap<>();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public PushGatewaySender(Database database, Pushers pushers, UnreadNotifications unread, RoomReader reader,
                             Duration initialBackoff, Duration maxBackoff, Clock clock) {
        this.database = database;
        this.pushers = pushers;
        this.unread = unread;
        this.reader = reader;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.clock = clock;
        this.http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
                .connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A queued notification and its retry state. */
    private record Queued(long id, Notified notified, long queuedTs, int attempts, long nextAttemptTs) {}

    /** Starts draining what an earlier run left queued. */
    public void resume() {
        database.execute().createNamedQuery("notifications-push-queue-pushers").execute()
                .forEach(row -> startDraining(Rows.longValue(row, "pusher_id")));
    }

    /**
     * Queues each notification for every HTTP pusher of its user; returns once they are stored, with how many
     * (notification, pusher) pairs were queued.
     */
    public int send(List<Notified> notified) {
        if (closed || notified.isEmpty()) {
            return 0;
        }
        Set<Long> touched = new LinkedHashSet<>();
        int[] queuedPairs = {0};
        database.transaction(tx -> {
            queuedPairs[0] = 0;
            for (Notified n : notified) {
                for (Pusher p : pushers.of(n.user())) {
                    if (!Pushers.HTTP.equals(p.kind())) {
                        continue;
                    }
                    tx.createNamedInsert("notifications-push-queue-insert").params(Rows.params(
                            "pusher_id", p.id(), "user_id", n.user().value(), "room_id", n.room().value(),
                            "event_id", n.eventId(), "stream_ordering", n.streamOrdering(),
                            "actions", PushAction.toJson(n.actions()).toString(), "highlight", n.highlight(),
                            "queued_ts", clock.millis())).execute();
                    touched.add(p.id());
                    queuedPairs[0]++;
                }
            }
            for (long pusherId : touched) {
                long queued = tx.createNamedGet("notifications-push-queue-count").addParam("pusher_id", pusherId)
                        .execute().map(r -> Rows.lng(r, "n")).orElse(0L);
                if (queued > MAX_QUEUED) {
                    tx.createNamedDelete("notifications-push-queue-trim").addParam("pusher_id", pusherId)
                            .addParam("n", queued - MAX_QUEUED).execute();
                }
            }
            return null;
        });
        touched.forEach(this::startDraining);
        return queuedPairs[0];
    }

    private void startDraining(long pusherId) {
        AtomicBoolean flag = draining.computeIfAbsent(pusherId, id -> new AtomicBoolean());
        if (!closed && flag.compareAndSet(false, true)) {
            Thread.ofVirtual().name("push-" + pusherId).start(() -> drain(pusherId, flag));
        }
    }

    private void drain(long pusherId, AtomicBoolean flag) {
        running.add(Thread.currentThread());
        boolean failed = false;
        try {
            Optional<Queued> head;
            while (!closed && (head = head(pusherId)).isPresent()) {
                Queued q = head.get();
                Optional<Pusher> pusher = current(q.notified(), pusherId);
                if (pusher.isEmpty()) {
                    database.execute().createNamedDelete("notifications-push-queue-delete-pusher")
                            .addParam("pusher_id", pusherId).execute();
                    break;
                }
                long wait = q.nextAttemptTs() - clock.millis();
                if (wait > 0) {
                    Thread.sleep(wait); // backing off (a retry scheduled before a restart included)
                }
                boolean done = deliver(pusher.get(), q.notified());
                long now = clock.millis();
                if (done || now - q.queuedTs() > GIVE_UP_AFTER.toMillis()) {
                    database.execute().createNamedDelete("notifications-push-queue-delete").addParam("id", q.id())
                            .execute();
                } else {
                    long backoff = backoff(q.attempts()).toMillis();
                    LOG.log(Level.INFO, "push to pusher " + pusherId + " failed, retrying in " + backoff + " ms");
                    database.execute().createNamedUpdate("notifications-push-queue-retry").addParam("id", q.id())
                            .addParam("next_attempt_ts", now + backoff).execute();
                }
            }
        } catch (InterruptedException e) {
            return;
        } catch (RuntimeException e) {
            // Left queued for the next notification or restart, not retried in a tight loop.
            LOG.log(Level.WARNING, "push queue of pusher " + pusherId + " stopped: " + e);
            failed = true;
        } finally {
            running.remove(Thread.currentThread());
            flag.set(false);
        }
        // Queued after the last look but before the flag was cleared: nobody else will start it.
        if (!closed && !failed && head(pusherId).isPresent()) {
            startDraining(pusherId);
        }
    }

    Duration backoff(int attempts) {
        Duration d = initialBackoff;
        for (int i = 0; i < attempts && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    private Optional<Queued> head(long pusherId) {
        return database.execute().createNamedGet("notifications-push-queue-head").addParam("pusher_id", pusherId)
                .execute().map(r -> new Queued(Rows.longValue(r, "id"), new Notified(
                        UserId.parse(Rows.string(r, "user_id")), RoomId.parse(Rows.string(r, "room_id")),
                        Rows.string(r, "event_id"), Rows.longValue(r, "stream_ordering"),
                        PushAction.parseAll(Json.parse(Rows.string(r, "actions")).asJsonArray()),
                        Rows.bool(r, "highlight")),
                        Rows.longValue(r, "queued_ts"), (int) Rows.lng(r, "attempts"), Rows.lng(r, "next_attempt_ts")));
    }

    private Optional<Pusher> current(Notified n, long pusherId) {
        return pushers.of(n.user()).stream().filter(p -> p.id() == pusherId).findFirst();
    }

    /** One post; true when it is settled (answered, or nothing to send), false to retry later. */
    private boolean deliver(Pusher pusher, Notified n) throws InterruptedException {
        Optional<StoredEvent> event = reader.event(n.eventId());
        if (event.isEmpty() || event.get().isRedacted()) {
            return true; // redacted, or its commit rolled back
        }
        JsonObject body = notification(pusher, n, event.get());
        HttpRequest request = HttpRequest.newBuilder(URI.create(pusher.data().getString("url")))
                .timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            if (status / 100 == 2) {
                rejected(pusher, response.body());
                return true;
            }
            if (status < 500) {
                LOG.log(Level.WARNING, "push gateway " + pusher.data().getString("url") + " answered " + status
                        + "; dropping the notification");
                return true;
            }
            LOG.log(Level.INFO, "push gateway answered " + status);
        } catch (IOException e) {
            LOG.log(Level.INFO, "push gateway unreachable (" + e + ")");
        }
        return false;
    }

    private void rejected(Pusher pusher, String responseBody) {
        try {
            if (Json.parse(responseBody) instanceof JsonObject o && o.get("rejected") instanceof JsonArray keys) {
                for (JsonValue key : keys) {
                    if (key instanceof JsonString s && s.getString().equals(pusher.pushkey())) {
                        pushers.rejected(pusher.user(), pusher.appId(), s.getString());
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "unreadable push gateway answer: " + e.getMessage());
        }
    }

    /** Spec, push_notifier.yaml: the notification for one device; {@code event_id_only} leaves the event's fields out. */
    JsonObject notification(Pusher pusher, Notified n, StoredEvent event) {
        boolean idOnly = "event_id_only".equals(pusher.data().getString("format", null));
        JsonObject tweaks = tweaks(n.actions());
        boolean high = event.type().equals("m.room.encrypted") || n.highlight() || tweaks.containsKey("sound");
        var device = Json.objectBuilder().add("app_id", pusher.appId()).add("pushkey", pusher.pushkey())
                .add("pushkey_ts", pusher.pushkeyTs() / 1000)
                .add("data", Json.objectBuilder(pusher.data()).remove("url"))
                .add("tweaks", tweaks);
        var notification = Json.objectBuilder().add("event_id", event.eventId()).add("room_id", event.roomId())
                .add("counts", Json.objectBuilder().add("unread", unread.total(pusher.user())))
                .add("prio", high ? "high" : "low")
                .add("devices", Json.arrayBuilder().add(device));
        if (!idOnly) {
            RoomId room = RoomId.parse(event.roomId());
            notification.add("type", event.type()).add("sender", event.sender())
                    .add("content", event.pdu().content());
            stateString(room, "m.room.member", event.sender(), "displayname")
                    .ifPresent(v -> notification.add("sender_display_name", v));
            stateString(room, "m.room.name", "", "name").ifPresent(v -> notification.add("room_name", v));
            stateString(room, "m.room.canonical_alias", "", "alias").ifPresent(v -> notification.add("room_alias", v));
            if (event.type().equals("m.room.member")) {
                notification.add("user_is_target", event.stateKey().map(pusher.user().value()::equals).orElse(false));
            }
        }
        return Json.objectBuilder().add("notification", notification).build();
    }

    private Optional<String> stateString(RoomId room, String type, String stateKey, String key) {
        return reader.currentStateEvent(room, type, stateKey)
                .map(e -> e.pdu().content().get(key) instanceof JsonString s ? s.getString() : null)
                .filter(s -> !s.isEmpty());
    }

    /** As Synapse: each {@code set_tweak}'s value, true when it has none. */
    private static JsonObject tweaks(List<PushAction> actions) {
        var b = Json.objectBuilder();
        for (PushAction a : actions) {
            if (a instanceof PushAction.SetTweak(String name, JsonValue value)) {
                b.add(name, value == null ? JsonValue.TRUE : value);
            }
        }
        return b.build();
    }

    @Override
    public void close() {
        closed = true;
        running.forEach(Thread::interrupt);
        http.shutdownNow(); // close() would wait for a hanging gateway
    }
}
