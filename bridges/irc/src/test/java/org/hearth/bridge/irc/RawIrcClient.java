package org.hearth.bridge.irc;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** An IRC user in the tests: a raw socket, lines kept as bytes so their length and encoding can be checked. */
final class RawIrcClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final LinkedBlockingQueue<byte[]> lines = new LinkedBlockingQueue<>();

    RawIrcClient(int port, String nick) throws Exception {
        socket = new Socket("127.0.0.1", port);
        out = socket.getOutputStream();
        InputStream in = new BufferedInputStream(socket.getInputStream());
        Thread.ofVirtual().start(() -> {
            try {
                byte[] line;
                while ((line = IrcConnection.readLine(in)) != null) {
                    String text = new String(line, StandardCharsets.UTF_8);
                    if (text.startsWith("PING")) {
                        send("PONG" + text.substring(4));
                    }
                    lines.add(line);
                }
            } catch (IOException e) {
                // closed
            }
        });
        send("NICK " + nick);
        send("USER " + nick + " 0 * :" + nick);
        await(l -> l.contains(" 001 "));
    }

    void send(String line) {
        sendBytes((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    synchronized void sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    void join(String channel) {
        send("JOIN " + channel);
        await(l -> l.contains(" 366 ") && l.contains(channel));
    }

    /** Reads lines until one matches (the ones before are dropped); fails after 60 s. */
    String await(Predicate<String> match) {
        return new String(awaitBytes(match), StandardCharsets.UTF_8);
    }

    byte[] awaitBytes(Predicate<String> match) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> seen = new ArrayList<>();
        try {
            while (System.nanoTime() < deadline) {
                byte[] line = lines.poll(200, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                String text = new String(line, StandardCharsets.UTF_8);
                seen.add(text);
                if (match.test(text)) {
                    return line;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new AssertionError("no matching IRC line; saw " + seen);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
