package org.hearth.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The server's process as /proc shows it (when it runs on this machine): CPU seconds and resident memory.
 * Found by PID, or by the owner of the listening socket on the server's port.
 */
final class ServerProcess {
    private static final double TICKS_PER_SECOND = 100.0; // USER_HZ on Linux

    private final long pid;
    private volatile long peakRssKb;
    private Thread sampler;

    private ServerProcess(long pid) {
        this.pid = pid;
    }

    static Optional<ServerProcess> of(long pid, int port) {
        if (pid > 0) {
            return Files.exists(Path.of("/proc", Long.toString(pid))) ? Optional.of(new ServerProcess(pid)) : Optional.empty();
        }
        return listenerPid(port).map(ServerProcess::new);
    }

    long pid() {
        return pid;
    }

    /** user + system CPU time of the whole process so far. */
    double cpuSeconds() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields after the name: state(3) ... utime(14) stime(15): indexes 11 and 12 here
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    long rssKb() {
        return statusField("VmRSS:");
    }

    int threads() {
        return (int) statusField("Threads:");
    }

    private long statusField(String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(name)) {
                    return Long.parseLong(line.substring(name.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // process gone
        }
        return -1;
    }

    /**
     * Asks the server's JVM for a full GC (jcmd GC.run), so that RSS read afterwards is live memory rather than
     * garbage left by the set-up; false when the process is no JVM or jcmd is missing.
     */
    boolean fullGc() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.run").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            boolean ok = p.waitFor() == 0;
            Thread.sleep(1000);
            return ok;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Starts sampling RSS every 100 ms; {@link #peakRssKb()} is the highest seen since. */
    void startSampling() {
        peakRssKb = rssKb();
        sampler = Thread.ofPlatform().daemon().name("rss-sampler").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakRssKb = Math.max(peakRssKb, rssKb());
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    long stopSampling() {
        if (sampler != null) {
            sampler.interrupt();
        }
        peakRssKb = Math.max(peakRssKb, rssKb());
        return peakRssKb;
    }

    long peakRssKb() {
        return peakRssKb;
    }

    private static Optional<Long> listenerPid(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.trim().split("\\s+");
                    // local_address is HEX_IP:HEX_PORT; state 0A = LISTEN; inode is field 9
                    if (f.length > 9 && f[3].equals("0A") && f[1].endsWith(String.format(":%04X", port))) {
                        inodes.add("socket:[" + f[9] + "]");
                    }
                }
            } catch (IOException ignored) {
                // no IPv6
            }
        }
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
                    for (Path fd : fds.toList()) {
                        try {
                            if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                                return Optional.of(Long.parseLong(proc.getFileName().toString()));
                            }
                        } catch (IOException ignored) {
                            // fd closed meanwhile
                        }
                    }
                } catch (IOException ignored) {
                    // not ours to read, or gone
                }
            }
        } catch (IOException ignored) {
            // no /proc
        }
        return Optional.empty();
    }
}
