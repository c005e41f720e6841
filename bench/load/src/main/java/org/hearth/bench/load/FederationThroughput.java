package org.hearth.bench.load;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Events delivered from one server to another: K senders on A send back to back into a room that users of B have
 * joined; B's users long-poll /sync and every message is matched by its unique body.
 */
@Command(name = "federation-throughput", mixinStandardHelpOptions = true,
        description = "events/s delivered from server A to the users of server B, and the delivery latency")
final class FederationThroughput extends Federated {
    @Option(names = "--senders", defaultValue = "8", description = "senders on A, one request outstanding each") int senders;
    @Option(names = "--receivers", defaultValue = "2", description = "users of B in the room, each long-polling /sync") int receivers;
    @Option(names = "--duration", defaultValue = "20", description = "seconds of sending") int duration;
    @Option(names = "--drain", defaultValue = "60", description = "seconds to wait for deliveries after the last send") int drain;
    @Option(names = "--timeline-limit", defaultValue = "1000", description = "timeline limit of B's sync filter") int timelineLimit;

    @Override
    Report run() throws Exception {
        Remote b = remotes().get(0);
        List<Homeserver.Account> accounts = setup.users("s", senders);
        String room = hs.createRoom(accounts.get(0), "bench " + setup.runId + " federated");
        String serverA = serverNameOf(accounts.get(0).userId());
        setup.parallel("join on A", senders - 1, i -> {
            hs.join(accounts.get(i + 1), room);
            return null;
        });
        List<Homeserver.Account> readers = new ArrayList<>();
        for (int i = 0; i < receivers; i++) {
            Homeserver.Account r = registerOn(b.hs(), "r" + i);
            joinVia(b.hs(), r, room, serverA, 300_000);
            readers.add(r);
        }
        String filter = "{\"room\":{\"timeline\":{\"limit\":" + timelineLimit + "}}}";
        String prefix = "fed " + setup.runId + " ";
        ConcurrentHashMap<Integer, Long> sentAt = new ConcurrentHashMap<>();
        List<Set<Integer>> delivered = new ArrayList<>();
        Latencies latency = new Latencies();
        AtomicLong lastDelivery = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong limited = new AtomicLong();
        List<SyncLoop> loops = new ArrayList<>();
        for (Homeserver.Account r : readers) {
            Set<Integer> mine = ConcurrentHashMap.newKeySet();
            delivered.add(mine);
            String since = SyncLoop.syncOnce(b.hs(), r, null, filter);
            loops.add(new SyncLoop(b.hs(), r, filter, 30_000, since).start((now, response) -> {
                SyncLoop.forEachTimelineEvent(response, new SyncLoop.TimelineVisitor() {
                    @Override
                    public void event(String roomId, JsonObject ev) {
                        if (!room.equals(roomId) || !(ev.get("content") instanceof JsonObject c)
                                || !(c.get("body") instanceof jakarta.json.JsonString body) || !body.getString().startsWith(prefix)) {
                            return;
                        }
                        int seq = Integer.parseInt(body.getString().substring(prefix.length()));
                        Long t = sentAt.get(seq);
                        if (!mine.add(seq)) {
                            duplicates.incrementAndGet();
                        } else if (t != null) {
                            latency.add(now - t);
                            lastDelivery.accumulateAndGet(now, Math::max);
                        }
                    }

                    @Override
                    public void limited(String roomId, boolean isLimited) {
                        if (isLimited && room.equals(roomId)) {
                            limited.incrementAndGet();
                        }
                    }
                });
                return true;
            }));
        }
        Homeserver.sleep(1000);

        process.ifPresent(ServerProcess::startSampling);
        b.process().ifPresent(ServerProcess::startSampling);
        double a0 = cpuNow(), b0 = cpuNow(b.process());
        AtomicInteger next = new AtomicInteger();
        AtomicLong ok = new AtomicLong(), errors = new AtomicLong();
        Latencies sendLatency = new Latencies();
        long start = System.nanoTime();
        long end = start + duration * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            Homeserver.Account sender = accounts.get(s);
            threads.add(Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < end) {
                    int seq = next.getAndIncrement();
                    long t = System.nanoTime();
                    sentAt.put(seq, t);
                    try {
                        hs.send(sender, room, "f" + setup.runId + "." + seq, prefix + seq);
                        sendLatency.add(System.nanoTime() - t);
                        ok.incrementAndGet();
                    } catch (Exception e) {
                        sentAt.remove(seq);
                        if (errors.incrementAndGet() <= 5) {
                            System.err.println("send failed: " + e.getMessage());
                        }
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        double sendSeconds = (System.nanoTime() - start) / 1e9;
        long expected = ok.get() * receivers;
        long drainEnd = System.nanoTime() + drain * 1_000_000_000L;
        while (System.nanoTime() < drainEnd && delivered.stream().mapToLong(Set::size).sum() < expected) {
            Homeserver.sleep(100);
        }
        loops.forEach(SyncLoop::stop);
        double da = cpuNow() - a0, db = cpuNow(b.process()) - b0;
        long peakA = process.map(ServerProcess::stopSampling).orElse(-1L);
        long peakB = b.process().map(ServerProcess::stopSampling).orElse(-1L);
        long got = delivered.stream().mapToLong(Set::size).sum();
        double deliverySeconds = lastDelivery.get() == 0 ? Double.NaN : (lastDelivery.get() - start) / 1e9;
        return new Report("federation-throughput").note(String.format(Locale.ROOT,
                        "%d senders on server A (%s) send m.room.message events back to back (one request outstanding each) "
                                + "for %d s into one room that %d users of server B (%s, its own fresh database) joined over "
                                + "federation; each B user long-polls /sync (timeout 30 s, filter timeline limit %d) and every "
                                + "event is matched by its unique body. **Delivered events/s** = events seen by B's users / "
                                + "(sending start to the last delivery); latency = send request start on A to the B user's sync "
                                + "answer carrying it.", senders, serverA, duration, receivers, b.url(), timelineLimit))
                .row("sent on A (200)", ok.get() + " in " + Report.num(sendSeconds) + " s (" + Report.num(ok.get() / sendSeconds)
                        + "/s), " + errors.get() + " errors; send latency ms p50 / p90 / p99 / max " + sendLatency.summary())
                .row("**delivered to B's users, events/s**", Double.isNaN(deliverySeconds) ? "-"
                        : Report.num(got / deliverySeconds) + " (" + got + " deliveries in " + Report.num(deliverySeconds) + " s)")
                .row("**delivery latency ms p50 / p90 / p99 / max**", latency.summary())
                .row("**lost** (expected " + expected + ")", expected - got)
                .row("duplicates / limited timelines", duplicates.get() + " / " + limited.get())
                .row("CPU A / B (sending + drain)", Report.num(da) + " s / " + Report.num(db) + " s")
                .row("peak RSS A / B", Report.mb(peakA) + " / " + Report.mb(peakB));
    }
}
