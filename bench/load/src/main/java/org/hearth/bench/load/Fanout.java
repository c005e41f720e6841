package org.hearth.bench.load;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * U users in R rooms, every one long-polling /sync; M messages a second for T seconds from random members; send
 * latency, and send-to-delivery latency per recipient (from the send's start to that recipient's sync answer
 * carrying the event, matched by a unique body).
 */
@Command(name = "fanout", mixinStandardHelpOptions = true, description = "messages fanned out to long-polling syncs")
final class Fanout extends Scenario {
    @Option(names = "--users", defaultValue = "1000") int users;
    @Option(names = "--rooms", defaultValue = "100") int rooms;
    @Option(names = "--rooms-per-user", defaultValue = "1", description = "rooms each user joins (spread evenly)") int roomsPerUser;
    @Option(names = "--rate", defaultValue = "200", description = "messages per second, all senders together") double rate;
    @Option(names = "--duration", defaultValue = "30", description = "seconds of sending") int duration;
    @Option(names = "--warmup", defaultValue = "0", description = "seconds of sending at the same rate before the "
            + "measured seconds: delivered and checked like the rest, but out of the latency and CPU figures (the JIT "
            + "compiles the send and sync paths in the first seconds of load)") int warmup;
    @Option(names = "--window", defaultValue = "10", description = "seconds per row of the latency-over-time rows") int window;
    @Option(names = "--sync-timeout", defaultValue = "30000", description = "the syncs' long-poll timeout, ms") int syncTimeout;
    @Option(names = "--timeline-limit", defaultValue = "100", description = "timeline limit of the syncs' filter (a burst above it is 'limited' and would count as lost)") int timelineLimit;
    @Option(names = "--settle", defaultValue = "5", description = "seconds between starting the syncs and the first message") int settle;
    @Option(names = "--drain", defaultValue = "30", description = "seconds to wait for deliveries after the last send") int drain;
    @Option(names = "--max-in-flight", defaultValue = "2000", description = "sends outstanding at once before the schedule waits") int maxInFlight;
    @Option(names = "--seed", defaultValue = "1") long seed;

    private static final class Sent {
        volatile long startNanos;
        volatile boolean failed;
        final int room;
        final int sender;

        Sent(int room, int sender) {
            this.room = room;
            this.sender = sender;
        }
    }

    @Override
    Report run() throws Exception {
        List<Homeserver.Account> accounts = setup.users("f", users);
        List<Set<Integer>> members = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            members.add(new LinkedHashSet<>(List.of(r % users)));
        }
        int stride = Math.max(1, rooms / roomsPerUser);
        for (int u = 0; u < users; u++) {
            for (int j = 0; j < roomsPerUser; j++) {
                members.get((u + j * stride) % rooms).add(u);
            }
        }
        List<String> roomIds = setup.parallel("createRoom", rooms,
                r -> hs.createRoom(accounts.get(r % users), "bench " + setup.runId + " " + r));
        List<int[]> joins = new ArrayList<>();
        for (int r = 0; r < rooms; r++) {
            for (int u : members.get(r)) {
                if (u != r % users) {
                    joins.add(new int[] {u, r});
                }
            }
        }
        setup.parallel("join", joins.size(), i -> {
            hs.join(accounts.get(joins.get(i)[0]), roomIds.get(joins.get(i)[1]));
            return null;
        });
        java.util.Map<String, Integer> roomIndex = new java.util.HashMap<>();
        for (int r = 0; r < rooms; r++) {
            roomIndex.put(roomIds.get(r), r);
        }

        String filter = "{\"room\":{\"timeline\":{\"limit\":" + timelineLimit + "}}}";
        // Twice: the first syncs mark everyone online (presence), the second token is past those changes.
        setup.parallel("initial sync", users, u -> SyncLoop.syncOnce(hs, accounts.get(u), null, filter));
        List<String> since = setup.parallel("second sync", users, u -> SyncLoop.syncOnce(hs, accounts.get(u), null, filter));

        int warm = (int) Math.round(rate * warmup);
        int total = warm + (int) Math.round(rate * duration);
        int perWindow = Math.max(1, (int) Math.round(rate * window));
        List<Latencies> byWindow = new ArrayList<>();
        for (int w = 0; w * perWindow < total - warm; w++) {
            byWindow.add(new Latencies());
        }
        Latencies warmDelivery = new Latencies();
        java.util.concurrent.atomic.AtomicReferenceArray<Sent> sent = new java.util.concurrent.atomic.AtomicReferenceArray<>(total);
        String prefix = "bench " + setup.runId + " ";
        Latencies sendLatency = new Latencies();
        Latencies deliveryLatency = new Latencies();
        AtomicLong delivered = new AtomicLong();
        AtomicLong duplicates = new AtomicLong();
        AtomicLong limited = new AtomicLong();
        AtomicLong foreign = new AtomicLong();
        AtomicLongArray deliveredPerMessage = new AtomicLongArray(total);

        List<SyncLoop> loops = new ArrayList<>(users);
        for (int u = 0; u < users; u++) {
            int self = u;
            BitSet seen = new BitSet(total);
            loops.add(new SyncLoop(hs, accounts.get(u), filter, syncTimeout, since.get(u)).start((now, response) -> {
                SyncLoop.forEachTimelineEvent(response, new SyncLoop.TimelineVisitor() {
                    @Override
                    public void event(String roomId, JsonObject ev) {
                        if (!"m.room.message".equals(ev.getString("type", null))
                                || !(ev.get("content") instanceof JsonObject content)
                                || !(content.get("body") instanceof jakarta.json.JsonString body)
                                || !body.getString().startsWith(prefix)) {
                            return;
                        }
                        int seq = Integer.parseInt(body.getString().substring(prefix.length()));
                        Sent s = seq < total ? sent.get(seq) : null;
                        if (s == null || s.sender == self) {
                            return; // own echo
                        }
                        if (!members.get(s.room).contains(self) || !roomId.equals(roomIds.get(s.room))) {
                            foreign.incrementAndGet();
                            return;
                        }
                        if (seen.get(seq)) {
                            duplicates.incrementAndGet();
                            return;
                        }
                        seen.set(seq);
                        if (seq < warm) {
                            warmDelivery.add(now - s.startNanos);
                        } else {
                            deliveryLatency.add(now - s.startNanos);
                            byWindow.get((seq - warm) / perWindow).add(now - s.startNanos);
                        }
                        delivered.incrementAndGet();
                        deliveredPerMessage.incrementAndGet(seq);
                    }

                    @Override
                    public void limited(String roomId, boolean isLimited) {
                        if (isLimited) {
                            limited.incrementAndGet();
                        }
                    }
                });
                return true;
            }));
        }
        System.err.printf("%d syncs long-polling; settling %d s%n", users, settle);
        Thread.sleep(settle * 1000L);
        long answersBefore = loops.stream().mapToLong(l -> l.answers.get()).sum();

        process.ifPresent(ServerProcess::startSampling);
        long rssStart = rssNow();
        Cpu cpuStart = cpuSnapshot();
        long t0 = System.nanoTime();
        long measuredFrom = t0;
        Random random = new Random(seed);
        Semaphore inFlight = new Semaphore(maxInFlight);
        AtomicLong sendErrors = new AtomicLong();
        long maxLagNanos = 0;
        List<List<Integer>> memberLists = members.stream().map(s -> (List<Integer>) new ArrayList<>(s)).toList();
        System.err.printf(Locale.ROOT, "sending %d messages at %.0f/s (the first %d as warm-up)%n", total, rate, warm);
        for (int i = 0; i < total; i++) {
            long due = t0 + (long) (i * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            if (i == warm && warm > 0) {
                // The measured part starts here: CPU, RSS and sync answers from now on.
                process.ifPresent(ServerProcess::stopSampling);
                process.ifPresent(ServerProcess::startSampling);
                rssStart = rssNow();
                cpuStart = cpuSnapshot();
                answersBefore = loops.stream().mapToLong(l -> l.answers.get()).sum();
                measuredFrom = System.nanoTime();
            }
            inFlight.acquire();
            maxLagNanos = Math.max(maxLagNanos, System.nanoTime() - due);
            int room = i % rooms;
            List<Integer> inRoom = memberLists.get(room);
            int sender = inRoom.get(random.nextInt(inRoom.size()));
            Sent s = new Sent(room, sender);
            boolean measured = i >= warm;
            sent.set(i, s);
            int seq = i;
            Thread.ofVirtual().start(() -> {
                try {
                    s.startNanos = System.nanoTime();
                    hs.send(accounts.get(sender), roomIds.get(room), "b" + setup.runId + "." + seq, prefix + seq);
                    if (measured) {
                        sendLatency.add(System.nanoTime() - s.startNanos);
                    }
                } catch (Exception e) {
                    s.failed = true;
                    if (sendErrors.incrementAndGet() <= 5) {
                        System.err.println("send failed: " + e.getMessage());
                    }
                } finally {
                    inFlight.release();
                }
            });
        }
        inFlight.acquire(maxInFlight);
        double sendSeconds = (System.nanoTime() - measuredFrom) / 1e9;
        long expected = 0;
        for (int i = 0; i < total; i++) {
            Sent s = sent.get(i);
            if (!s.failed) {
                expected += memberLists.get(s.room).size() - 1;
            }
        }
        long drainEnd = System.nanoTime() + drain * 1_000_000_000L;
        while (System.nanoTime() < drainEnd) {
            long ok = 0;
            for (int i = 0; i < total; i++) {
                ok += sent.get(i).failed ? 0 : deliveredPerMessage.get(i);
            }
            if (ok >= expected) {
                break;
            }
            Thread.sleep(50);
        }
        double measuredSeconds = (System.nanoTime() - measuredFrom) / 1e9;
        String cpuUsed = cpuSince(cpuStart);
        long peakRss = process.map(ServerProcess::stopSampling).orElse(-1L);
        long answers = loops.stream().mapToLong(l -> l.answers.get()).sum() - answersBefore;
        loops.forEach(SyncLoop::stop);
        for (SyncLoop l : loops) {
            l.join();
        }
        long messagesFullyDelivered = 0;
        long deliveredOk = 0;
        long deliveredOfFailed = 0;
        for (int i = 0; i < total; i++) {
            if (sent.get(i).failed) {
                // An error answer after the commit still delivers the event: counted apart, not as a delivery.
                deliveredOfFailed += deliveredPerMessage.get(i);
            } else {
                deliveredOk += deliveredPerMessage.get(i);
                if (deliveredPerMessage.get(i) == memberLists.get(sent.get(i).room).size() - 1) {
                    messagesFullyDelivered++;
                }
            }
        }

        long lost = expected - deliveredOk;
        int okSends = total - (int) sendErrors.get();
        return new Report("fanout")
                .note(String.format(Locale.ROOT, "%d users in %d rooms (%d per user, %.1f members per room on average), "
                        + "all long-polling /sync (timeout %d ms, filter timeline limit %d, presence as the server "
                        + "defaults: set_presence unset); %.0f messages/s for %d s from random members, rooms in turn.",
                        users, rooms, roomsPerUser, memberLists.stream().mapToInt(List::size).average().orElse(0),
                        syncTimeout, timelineLimit, rate, duration)
                        + (warm == 0 ? "" : String.format(Locale.ROOT, " Before those, %d s of warm-up at the same "
                                + "rate (%d messages: delivered and counted in sent, lost and duplicates, but not in the "
                                + "latencies, sync answers and CPU).", warmup, warm)))
                .note("Delivery latency: from the send request's start to a recipient's /sync answer carrying the "
                        + "event (matched by its unique body); the sender's own echo is not counted.")
                .row("messages sent OK / failed", okSends + " / " + sendErrors.get())
                .row("achieved send rate", Report.num((total - warm) / sendSeconds) + " /s (schedule lag max "
                        + Report.ms(maxLagNanos / 1e6) + " ms)")
                .row("send latency ms p50 / p90 / p99 / max", sendLatency.summary())
                .row("deliveries expected / delivered", expected + " / " + deliveredOk
                        + (sendErrors.get() == 0 ? "" : " (and " + deliveredOfFailed + " of sends answered with an error)"))
                .row("**lost deliveries**", lost + (lost == 0 ? " (none)" : " (" + (okSends - messagesFullyDelivered)
                        + " messages not seen by every member)"))
                .row("duplicate deliveries / in a wrong room", duplicates.get() + " / " + foreign.get())
                .row("**delivery latency ms p50 / p90 / p99 / max**", deliveryLatency.summary())
                .rows(windowRows(byWindow, warmDelivery))
                .row("deliveries later than 1 s / 5 s / (sync timeout - 1 s)", deliveryLatency.countAboveMs(1000) + " / "
                        + deliveryLatency.countAboveMs(5000) + " / " + deliveryLatency.countAboveMs(syncTimeout - 1000))
                .row("limited timelines (gaps) seen", limited.get())
                .row("sync answers during the run / sync errors", answers + " / " + SyncLoop.ERRORS.get())
                .row("CPU, sending + drain (" + Report.num(measuredSeconds) + " s)", cpuUsed)
                .row("server RSS at start / peak", Report.mb(rssStart) + " / " + Report.mb(peakRss));
    }

    /** Delivery latency of the messages sent in each window of the measured seconds, and of the warm-up. */
    private List<String[]> windowRows(List<Latencies> byWindow, Latencies warmDelivery) {
        List<String[]> rows = new ArrayList<>();
        if (warmDelivery.count() > 0) {
            rows.add(new String[] {"warm-up (" + warmup + " s, not above): delivery ms p50 / p90 / p99 / max",
                    warmDelivery.summary()});
        }
        if (byWindow.size() > 1) {
            for (int w = 0; w < byWindow.size(); w++) {
                rows.add(new String[] {"sent in s " + (w * window) + "-" + Math.min(duration, (w + 1) * window)
                        + ": delivery ms p50 / p90 / p99 / max", byWindow.get(w).summary()});
            }
        }
        return rows;
    }
}
