package org.hearth.bridge.irc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real IRC server (Debian's ngircd) on a free loopback port with its own config in a temp dir. */
final class NgIrcd implements AutoCloseable {
    final int port;
    private final Path dir;
    private final Path binary;
    private Process process;

    NgIrcd() throws IOException {
        binary = Path.of("/usr/sbin/ngircd");
        if (!Files.isExecutable(binary)) {
            throw new AssertionError("ngircd is missing: apt-get install -y ngircd (the IRC bridge tests need a real IRC server)");
        }
        try (var s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory("ngircd-test-");
        Files.writeString(dir.resolve("ngircd.conf"), """
                [Global]
                Name = irc.hearth.test
                Info = Hearth bridge tests
                Listen = 127.0.0.1
                Ports = %d
                MotdPhrase = test server
                [Limits]
                MaxNickLength = 30
                MaxConnectionsIP = 0
                PingTimeout = 120
                PongTimeout = 60
                [Options]
                PAM = no
                DNS = no
                Ident = no
                """.formatted(port));
        Files.writeString(dir.resolve("motd"), "test\n");
    }

    /** Starts the server and waits until it accepts connections. */
    void start() throws Exception {
        process = new ProcessBuilder(binary.toString(), "-n", "-f", dir.resolve("ngircd.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("ngircd.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("ngircd exited: " + Files.readString(dir.resolve("ngircd.log")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("ngircd did not listen on " + port);
    }

    /** Kills the server at once (no QUIT to anyone), as a crash would. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (process != null) {
            kill();
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
