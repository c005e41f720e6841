package org.hearth.bench.load;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/** One client long-polling /sync on a connection of its own, handing every answer to a handler. */
final class SyncLoop {
    interface Handler {
        /** Called with the time the answer was read; returns false to stop polling. */
        boolean onSync(long receivedNanos, JsonObject response);
    }

    static final AtomicLong ERRORS = new AtomicLong();

    private final Homeserver hs;
    private final Homeserver.Account account;
    private final String filter;
    private final long timeoutMs;
    private final HttpConnection connection;
    private volatile boolean stopped;
    private volatile String since;
    private Thread thread;
    final AtomicLong answers = new AtomicLong();

    SyncLoop(Homeserver hs, Homeserver.Account account, String filter, long timeoutMs, String since) {
        this.hs = hs;
        this.account = account;
        this.filter = filter;
        this.timeoutMs = timeoutMs;
        this.since = since;
        this.connection = hs.newConnection();
    }

    /** One sync now (timeout 0), e.g. the initial one; returns its next_batch. */
    static String syncOnce(Homeserver hs, Homeserver.Account a, String since, String filter) throws IOException {
        return hs.call("sync", "GET", Homeserver.syncPath(since, 0, filter), a.accessToken(), null).getString("next_batch");
    }

    SyncLoop start(Handler handler) {
        thread = Thread.ofVirtual().start(() -> {
            while (!stopped) {
                try {
                    JsonObject r = hs.call(connection, "sync", "GET", Homeserver.syncPath(since, timeoutMs, filter),
                            account.accessToken(), null, (int) timeoutMs + 30_000);
                    long now = System.nanoTime();
                    answers.incrementAndGet();
                    since = r.getString("next_batch");
                    if (!handler.onSync(now, r)) {
                        return;
                    }
                } catch (IOException | RuntimeException e) {
                    if (stopped) {
                        return;
                    }
                    if (ERRORS.incrementAndGet() <= 20) {
                        System.err.println("sync of " + account.userId() + " failed: " + e.getMessage());
                    }
                    Homeserver.sleep(1000);
                }
            }
        });
        return this;
    }

    void stop() {
        stopped = true;
        connection.close();
    }

    void join() throws InterruptedException {
        if (thread != null) {
            thread.join(5_000);
        }
    }

    /** The timeline events of every joined room of a sync answer, with their room ID. */
    static void forEachTimelineEvent(JsonObject sync, TimelineVisitor visitor) {
        JsonObject rooms = sync.getJsonObject("rooms");
        if (rooms == null || !(rooms.get("join") instanceof JsonObject join)) {
            return;
        }
        for (var room : join.entrySet()) {
            JsonObject timeline = room.getValue().asJsonObject().getJsonObject("timeline");
            if (timeline == null) {
                continue;
            }
            visitor.limited(room.getKey(), timeline.getBoolean("limited", false));
            if (timeline.get("events") instanceof jakarta.json.JsonArray events) {
                for (JsonValue ev : events) {
                    visitor.event(room.getKey(), ev.asJsonObject());
                }
            }
        }
    }

    interface TimelineVisitor {
        void event(String roomId, JsonObject event);

        default void limited(String roomId, boolean limited) {}
    }
}
