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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.hearth.core.push.PushActions.Notified;
import org.hearth.core.push.Pushers.Pusher;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;
import org.hearth.spec.push.PushAction;

/**
 * Posts notifications to HTTP pushers' push gateways (spec: Push Gateway API, POST /_matrix/push/v1/notify),
 * off the commit path: one queue per pusher, drained in order by one virtual thread while it has work. A
 * failure or 5xx is retried with exponential backoff (as Synapse: from 1 s up to an hour, giving up on a
 * notification after a day); other answers are final. Pushkeys the gateway lists as {@code rejected} are removed.
 * Only the address the pusher names is contacted: redirects are not followed.
 */
public final class PushGatewaySender implements AutoCloseable {
    private static final Logger LOG = System.getLogger(PushGatewaySender.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration GIVE_UP_AFTER = Duration.ofDays(1);
    // A gateway down for long drops its oldest notifications rather than growing without bound.
    private static final int MAX_QUEUED = 1_000;

    private final Pushers pushers;
    private final UnreadNotifications unread;
    private final RoomReader reader;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final HttpClient http;
    private final ConcurrentHashMap<Long, PusherQueue> queues = new ConcurrentHashMap<>();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public PushGatewaySender(Pushers pushers, UnreadNotifications unread, RoomReader reader, Duration initialBackoff,
                             Duration maxBackoff) {
        this.pushers = pushers;
        this.unread = unread;
        this.reader = reader;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor())
                .connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    private static final class PusherQueue {
        final ConcurrentLinkedDeque<Notified> items = new ConcurrentLinkedDeque<>();
        final AtomicBoolean draining = new AtomicBoolean();
    }

    /** Queues each notification for every HTTP pusher of its user; returns at once. */
    public void send(List<Notified> notified) {
        if (closed) {
            return;
        }
        for (Notified n : notified) {
            for (Pusher p : pushers.of(n.user())) {
                if (!Pushers.HTTP.equals(p.kind())) {
                    continue;
                }
                PusherQueue q = queues.computeIfAbsent(p.id(), id -> new PusherQueue());
                q.items.add(n);
                while (q.items.size() > MAX_QUEUED) {
                    q.items.pollFirst();
                }
                startDraining(p.id(), q);
            }
        }
    }

    private void startDraining(long pusherId, PusherQueue q) {
        if (q.draining.compareAndSet(false, true)) {
            Thread.ofVirtual().name("push-" + pusherId).start(() -> drain(pusherId, q));
        }
    }

    private void drain(long pusherId, PusherQueue q) {
        running.add(Thread.currentThread());
        try {
            Notified n;
            while (!closed && (n = q.items.peekFirst()) != null) {
                Optional<Pusher> pusher = current(n, pusherId);
                if (pusher.isEmpty()) {
                    q.items.clear();
                    break;
                }
                deliver(pusher.get(), n);
                q.items.remove(n);
            }
        } catch (InterruptedException e) {
            return;
        } finally {
            running.remove(Thread.currentThread());
            q.draining.set(false);
        }
        // Added after the last look but before draining was cleared: nobody else will start it.
        if (!closed && !q.items.isEmpty()) {
            startDraining(pusherId, q);
        }
    }

    private Optional<Pusher> current(Notified n, long pusherId) {
        return pushers.of(n.user()).stream().filter(p -> p.id() == pusherId).findFirst();
    }

    /** Posts until the gateway answers (or the notification is given up); retries failures with backoff. */
    private void deliver(Pusher pusher, Notified n) throws InterruptedException {
        Optional<StoredEvent> event = reader.event(n.eventId());
        if (event.isEmpty() || event.get().isRedacted()) {
            return; // redacted, or its commit rolled back
        }
        JsonObject body = notification(pusher, n, event.get());
        HttpRequest request = HttpRequest.newBuilder(URI.create(pusher.data().getString("url")))
                .timeout(TIMEOUT).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        long started = System.nanoTime();
        Duration backoff = initialBackoff;
        while (!closed) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    rejected(pusher, response.body());
                    return;
                }
                if (status < 500) {
                    LOG.log(Level.WARNING, "push gateway " + pusher.data().getString("url") + " answered " + status
                            + "; dropping the notification");
                    return;
                }
                LOG.log(Level.INFO, "push gateway answered " + status + ", retrying in " + backoff.toMillis() + " ms");
            } catch (IOException e) {
                LOG.log(Level.INFO, "push gateway unreachable (" + e + "), retrying in " + backoff.toMillis() + " ms");
            }
            if (Duration.ofNanos(System.nanoTime() - started).compareTo(GIVE_UP_AFTER) > 0) {
                return;
            }
            Thread.sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
        }
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
