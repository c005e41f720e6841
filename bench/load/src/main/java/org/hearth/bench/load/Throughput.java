package org.hearth.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** N senders sending back to back for T seconds: events persisted per second, in one shared room and in N rooms. */
@Command(name = "throughput", mixinStandardHelpOptions = true, description = "events/s persisted by concurrent senders")
final class Throughput extends Scenario {
    @Option(names = "--senders", defaultValue = "16") int senders;
    @Option(names = "--duration", defaultValue = "20", description = "seconds of sending per layout") int duration;
    @Option(names = "--layout", defaultValue = "both", description = "one (all senders in one room), many (a room each) or both") String layout;
    @Option(names = "--members", defaultValue = "0",
            description = "idle members (not sending, not syncing) also joined to the shared room: the push actions of a big room")
    int members;

    @Override
    Report run() throws Exception {
        List<Homeserver.Account> accounts = setup.users("t", senders);
        Report report = new Report("throughput")
                .note(String.format(Locale.ROOT, "%d senders, each sending m.room.message events back to back (one "
                        + "request outstanding per sender) for %d s; nobody syncing. A 200 answer means the event is "
                        + "persisted.", senders, duration));
        if (!layout.equals("many")) {
            String room = hs.createRoom(accounts.get(0), "bench " + setup.runId + " shared");
            setup.parallel("join", senders - 1, i -> {
                hs.join(accounts.get(i + 1), room);
                return null;
            });
            if (members > 0) {
                List<Homeserver.Account> idle = setup.users("m", members);
                setup.parallel("join idle", members, i -> {
                    hs.join(idle.get(i), room);
                    return null;
                });
            }
            measure(report, members > 0 ? "one room of " + (senders + members) + " members" : "one room", accounts,
                    i -> room);
        }
        if (!layout.equals("one")) {
            List<String> rooms = setup.parallel("createRoom", senders,
                    i -> hs.createRoom(accounts.get(i), "bench " + setup.runId + " own " + i));
            measure(report, senders + " rooms", accounts, rooms::get);
        }
        return report;
    }

    private void measure(Report report, String name, List<Homeserver.Account> accounts,
                         java.util.function.IntFunction<String> roomOf) throws Exception {
        Latencies latency = new Latencies();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        process.ifPresent(ServerProcess::startSampling);
        Cpu cpuStart = cpuSnapshot();
        long start = System.nanoTime();
        long end = start + duration * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int sender = s;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int n = 0; System.nanoTime() < end; n++) {
                    long t = System.nanoTime();
                    try {
                        hs.send(accounts.get(sender), roomOf.apply(sender), "t" + setup.runId + name.length() + "." + sender + "." + n, "throughput " + n);
                        latency.add(System.nanoTime() - t);
                        ok.incrementAndGet();
                    } catch (Exception e) {
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
        double seconds = (System.nanoTime() - start) / 1e9;
        String cpuUsed = cpuSince(cpuStart);
        double serverCpu = cpuNow() - cpuStart.server();
        long peak = process.map(ServerProcess::stopSampling).orElse(-1L);
        report.row("**" + name + ": events/s**", Report.num(ok.get() / seconds) + " (" + ok.get() + " in "
                        + Report.num(seconds) + " s, " + errors.get() + " errors)")
                .row(name + ": send latency ms p50 / p90 / p99 / max", latency.summary())
                .row(name + ": CPU", cpuUsed)
                .row(name + ": server CPU per event", Double.isNaN(serverCpu) ? "-"
                        : String.format(Locale.ROOT, "%.2f ms", serverCpu * 1000 / Math.max(1, ok.get())))
                .row(name + ": server peak RSS", Report.mb(peak));
    }
}
