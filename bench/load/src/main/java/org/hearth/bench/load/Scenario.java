package org.hearth.bench.load;

import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** What every scenario does around its measurement: the time limit, the target, the server process, the report. */
abstract class Scenario implements Callable<Integer> {
    @Mixin
    Options options;

    Homeserver hs;
    Setup setup;
    Optional<ServerProcess> process;
    String server;
    Optional<ServerProcess> database = Optional.empty();
    final ServerProcess generator = ServerProcess.of(ProcessHandle.current().pid(), 0).orElseThrow();

    abstract Report run() throws Exception;

    int localAddresses() {
        return 1;
    }

    @Override
    public final Integer call() throws Exception {
        String loadAtStart = Report.loadAverage();
        Thread.ofPlatform().daemon().name("time-limit").start(() -> {
            try {
                Thread.sleep(options.maxSeconds * 1000L);
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("time limit of " + options.maxSeconds + " s reached (--max-seconds): stopping");
            Runtime.getRuntime().halt(3);
        });
        options.registrationMethod();
        hs = new Homeserver(options.url, localAddresses());
        setup = new Setup(hs, options);
        server = options.serverName != null ? options.serverName : hs.describe();
        process = ServerProcess.of(options.pid, URI.create(options.url).getPort());
        if (options.dbPort > 0) {
            database = ServerProcess.of(0, options.dbPort);
        }
        System.err.println("target " + hs.baseUrl() + " (" + server + "), server process "
                + process.map(p -> Long.toString(p.pid())).orElse("not found: no CPU/RSS figures"));
        Report report = run().loadAtStart(loadAtStart);
        report.row("429 M_LIMIT_EXCEEDED answers waited out", hs.rateLimited.get());
        report.publish(options, server);
        return 0;
    }

    /** CPU of the server, its database and this generator between two snapshots. */
    record Cpu(double server, double database, double generator, long nanos) {}

    Cpu cpuSnapshot() {
        return new Cpu(cpuNow(), database.map(ServerProcess::cpuSeconds).orElse(Double.NaN), generator.cpuSeconds(),
                System.nanoTime());
    }

    String cpuSince(Cpu start) {
        Cpu end = cpuSnapshot();
        double s = (end.nanos() - start.nanos()) / 1e9;
        return "server " + cpu(start.server(), end.server(), s)
                + (database.isEmpty() ? "" : "; database " + cpu(start.database(), end.database(), s))
                + "; load generator " + cpu(start.generator(), end.generator(), s);
    }

    static String cpu(double before, double after, double seconds) {
        if (Double.isNaN(before) || Double.isNaN(after)) {
            return "-";
        }
        double used = after - before;
        return Report.num(used) + " s (" + String.format(java.util.Locale.ROOT, "%.2f", used / seconds) + " cores)";
    }

    double cpuNow() {
        return process.map(ServerProcess::cpuSeconds).orElse(Double.NaN);
    }

    long rssNow() {
        return process.map(ServerProcess::rssKb).orElse(-1L);
    }
}
