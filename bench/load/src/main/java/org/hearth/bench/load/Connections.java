package org.hearth.bench.load;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * C idle long-polling syncs (of U users, all members of one shared room), spread over local addresses 127.0.0.x;
 * server RSS per connection; then one message in the shared room and the time until every sync has returned with it.
 */
@Command(name = "connections", mixinStandardHelpOptions = true, description = "idle long-polls: memory, and time to wake them all")
final class Connections extends Scenario {
    @Option(names = "--connections", defaultValue = "1000") int connections;
    @Option(names = "--users", defaultValue = "100", description = "users holding the syncs (connection i belongs to user i mod U)") int users;
    @Option(names = "--local-addresses", defaultValue = "16", description = "local addresses 127.0.0.1..127.0.0.N the connections are spread over") int locals;
    @Option(names = "--sync-timeout", defaultValue = "110000", description = "long-poll timeout, ms (longer than the run, so the syncs stay parked)") int syncTimeout;
    @Option(names = "--open-rate", defaultValue = "500", description = "connections opened per second") int openRate;
    @Option(names = "--settle", defaultValue = "10", description = "seconds after the last connection opened before measuring RSS") int settle;
    @Option(names = "--wake-timeout", defaultValue = "60", description = "seconds to wait for every sync to return with the message") int wakeTimeout;

    @Override
    int localAddresses() {
        return locals;
    }

    @Override
    Report run() throws Exception {
        users = Math.min(users, connections);
        List<Homeserver.Account> accounts = setup.users("c", users);
        String room = hs.createRoom(accounts.get(0), "bench " + setup.runId + " shared");
        setup.parallel("join", users - 1, i -> {
            hs.join(accounts.get(i + 1), room);
            return null;
        });
        // Lazy-loaded members, as Element syncs: without it each initial sync carries the whole member list.
        String filter = "{\"room\":{\"timeline\":{\"limit\":10},\"state\":{\"lazy_load_members\":true}}}";
        setup.parallel("initial sync", users, u -> SyncLoop.syncOnce(hs, accounts.get(u), null, filter));
        List<String> since = setup.parallel("second sync", users, u -> SyncLoop.syncOnce(hs, accounts.get(u), null, filter));

        boolean gc = options.fullGc && process.map(ServerProcess::fullGc).orElse(false);
        long rssBefore = rssNow();
        int threadsBefore = process.map(ServerProcess::threads).orElse(-1);
        String body = "wake " + setup.runId;
        AtomicLong wakeStart = new AtomicLong();
        Latencies wake = new Latencies();
        AtomicLong early = new AtomicLong();
        List<SyncLoop> loops = new ArrayList<>(connections);
        long openStart = System.nanoTime();
        for (int c = 0; c < connections; c++) {
            if (c > 0 && c % 100 == 0) {
                long due = openStart + (long) (c * 1e9 / openRate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000);
                }
            }
            AtomicBoolean woken = new AtomicBoolean();
            loops.add(new SyncLoop(hs, accounts.get(c % users), filter, syncTimeout, since.get(c % users)).start((now, r) -> {
                boolean[] found = {false};
                SyncLoop.forEachTimelineEvent(r, (roomId, ev) -> {
                    if (ev.get("content") instanceof JsonObject content && body.equals(content.getString("body", null))) {
                        found[0] = true;
                    }
                });
                if (found[0] && woken.compareAndSet(false, true)) {
                    wake.add(now - wakeStart.get());
                    return false;
                }
                if (wakeStart.get() == 0) {
                    early.incrementAndGet();
                }
                return true;
            }));
        }
        double openSeconds = (System.nanoTime() - openStart) / 1e9;
        System.err.printf(Locale.ROOT, "%d syncs opened in %.1f s over %d local addresses; settling %d s%n",
                connections, openSeconds, hs.localAddressCount(), settle);
        Thread.sleep(settle * 1000L);
        long rssHeldNoGc = rssNow();
        if (gc) {
            process.get().fullGc();
        }
        long rssHeld = rssNow();
        int threadsHeld = process.map(ServerProcess::threads).orElse(-1);
        long earlyBeforeWake = early.get();
        long errorsBeforeWake = SyncLoop.ERRORS.get();

        process.ifPresent(ServerProcess::startSampling);
        Cpu cpuStart = cpuSnapshot();
        wakeStart.set(System.nanoTime());
        long sendStart = wakeStart.get();
        String sendOutcome;
        try {
            hs.send(accounts.get(0), room, "w" + setup.runId, body);
            sendOutcome = Report.ms((System.nanoTime() - sendStart) / 1e6) + " ms";
        } catch (java.io.IOException e) {
            // Still measured: an answer lost to a timeout may follow a committed event that wakes the syncs.
            sendOutcome = "failed after " + Report.ms((System.nanoTime() - sendStart) / 1e6) + " ms: " + e.getMessage();
        }
        long deadline = System.nanoTime() + wakeTimeout * 1_000_000_000L;
        while (wake.count() < connections && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        double wakeSeconds = (System.nanoTime() - sendStart) / 1e9;
        String cpuUsed = cpuSince(cpuStart);
        long peak = process.map(ServerProcess::stopSampling).orElse(-1L);
        loops.forEach(SyncLoop::stop);
        for (SyncLoop l : loops) {
            l.join();
        }
        long perConnectionBytes = rssBefore < 0 ? -1 : (rssHeld - rssBefore) * 1024 / connections;
        return new Report("connections")
                .note(String.format(Locale.ROOT, "%d long-polling /sync connections (timeout %d ms) of %d users, all "
                        + "members of one shared room (filter: timeline limit 10, lazy-loaded members), opened at up to %d/s from %d local addresses (127.0.0.1-%d); "
                        + "RSS read %d s after the last opened. Wake: **one message in the shared room** wakes every "
                        + "sync; time from the send's start to each sync's answer carrying it.",
                        connections, syncTimeout, users, openRate, hs.localAddressCount(), hs.localAddressCount(),
                        settle))
                .row("**server RSS before / with the syncs held**" + (gc ? " (each read after a full GC, jcmd GC.run)" : ""),
                        Report.mb(rssBefore) + " / **" + Report.mb(rssHeld) + "**"
                                + (gc ? " (before that GC: " + Report.mb(rssHeldNoGc) + ")" : ""))
                .row("**server RSS per held sync**", perConnectionBytes < 0 ? "-"
                        : String.format(Locale.ROOT, "%.1f KiB", perConnectionBytes / 1024.0))
                .row("server threads before / held", threadsBefore + " / " + threadsHeld)
                .row("syncs that returned before the wake (should be 0)", earlyBeforeWake)
                .row("send latency of the wake message", sendOutcome)
                .row("syncs woken with the message", wake.count() + " / " + connections)
                .row("**wake latency ms p50 / p90 / p99 / max (= all woken)**", wake.summary())
                .row("CPU during the wake (" + Report.num(wakeSeconds) + " s)", cpuUsed)
                .row("server peak RSS during the wake", Report.mb(peak))
                .row("sync errors (answers other than 200, timeouts) before / after the wake", errorsBeforeWake + " / "
                        + (SyncLoop.ERRORS.get() - errorsBeforeWake));
    }
}
