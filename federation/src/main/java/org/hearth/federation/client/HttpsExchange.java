package org.hearth.federation.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * HTTP/1.1 requests over TLS to an exact IP address, with the TLS name (SNI and certificate check) and the
 * {@code Host} header chosen separately: server name resolution decides all three, which the JDK's HttpClient
 * cannot be told (it derives them from the URL). Connections are kept alive and reused per (address, port, TLS
 * name): a TLS handshake cost 35 ms of a 67 ms request on a loaded test machine.
 */
final class HttpsExchange {
    // Below the idle timeouts of common servers and proxies, so a reused connection is rarely already closed.
    static final long IDLE_MILLIS = 30_000;
    static final int MAX_IDLE_PER_PEER = 8;

    private final FederationTls tls;
    private final ConcurrentHashMap<Peer, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();

    HttpsExchange(FederationTls tls) {
        this.tls = tls;
    }

    record Response(int status, Map<String, String> headers, byte[] body) {
        /** A header by lower-case name. */
        String header(String name) {
            return headers.get(name);
        }
    }

    private record Peer(InetAddress address, int port, String tlsName) {}

    private record Connection(SSLSocket socket, BufferedInputStream in, long idleSince) {}

    /**
     * One request. A kept-alive connection that turns out to be closed is replaced by a new one and the request
     * sent again: every federation request is safe to repeat (transactions are deduplicated by their ID).
     */
    Response send(InetAddress address, int port, String tlsName, String hostHeader, String method, String target,
                  Map<String, String> headers, byte[] body, Duration connectTimeout, Duration readTimeout,
                  long maxResponseBytes) throws IOException {
        return send(address, port, tlsName, hostHeader, method, target, headers, body, connectTimeout, readTimeout,
                maxResponseBytes, null);
    }

    /**
     * The same, with the response body written to {@code bodyFile} (each attempt starts it again) instead of held
     * in memory: the answer's body is then empty. Media are fetched so.
     */
    Response send(InetAddress address, int port, String tlsName, String hostHeader, String method, String target,
                  Map<String, String> headers, byte[] body, Duration connectTimeout, Duration readTimeout,
                  long maxResponseBytes, Path bodyFile) throws IOException {
        Peer peer = new Peer(address, port, tlsName);
        Connection pooled = take(peer);
        if (pooled != null) {
            try {
                return exchange(peer, pooled, hostHeader, method, target, headers, body, readTimeout, maxResponseBytes,
                        bodyFile);
            } catch (java.net.SocketTimeoutException slow) {
                // The peer is slow, not gone: sending again would only double the wait.
                closeQuietly(pooled.socket());
                throw slow;
            } catch (BodyTooLarge over) {
                closeQuietly(pooled.socket());
                throw over;
            } catch (IOException stale) {
                closeQuietly(pooled.socket());
            }
        }
        Connection fresh = connect(peer, connectTimeout);
        try {
            return exchange(peer, fresh, hostHeader, method, target, headers, body, readTimeout, maxResponseBytes,
                    bodyFile);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fresh.socket());
            throw e;
        }
    }

    private Connection connect(Peer peer, Duration connectTimeout) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(peer.address(), peer.port()), (int) connectTimeout.toMillis());
            plain.setTcpNoDelay(true);
            plain.setSoTimeout((int) connectTimeout.toMillis());
            // The host given here is what the certificate is checked against and, for a DNS name, the SNI.
            SSLSocket socket = (SSLSocket) tls.context().getSocketFactory()
                    .createSocket(plain, peer.tlsName(), peer.port(), true);
            SSLParameters params = socket.getSSLParameters();
            if (tls.verify()) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!isIpAddress(peer.tlsName())) {
                params.setServerNames(List.of(new SNIHostName(peer.tlsName())));
            }
            socket.setSSLParameters(params);
            socket.startHandshake();
            return new Connection(socket, new BufferedInputStream(socket.getInputStream()), 0);
        } catch (IOException | RuntimeException e) {
            closeQuietly(plain);
            throw e;
        }
    }

    private Response exchange(Peer peer, Connection c, String hostHeader, String method, String target,
                              Map<String, String> headers, byte[] body, Duration readTimeout, long max,
                              Path bodyFile) throws IOException {
        c.socket().setSoTimeout((int) readTimeout.toMillis());
        OutputStream out = c.socket().getOutputStream();
        StringBuilder head = new StringBuilder();
        head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostHeader).append("\r\n");
        head.append("User-Agent: Hearth\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        // One write: the request goes out in as few TLS records and TCP segments as possible.
        byte[] all = body == null ? headBytes : concat(headBytes, body);
        try {
            out.write(all);
            out.flush();
        } catch (IOException unsent) {
            // A server may answer and close before reading a body it refuses (413 on its declared length): the
            // answer can still be waiting on the socket, and it says more than the broken pipe does.
            Read early;
            try {
                early = read(c.in(), method, max, bodyFile);
            } catch (BodyTooLarge over) {
                throw over;
            } catch (IOException noAnswer) {
                unsent.addSuppressed(noAnswer);
                throw unsent;
            }
            closeQuietly(c.socket());
            return early.response();
        }
        Read read = read(c.in(), method, max, bodyFile);
        String connection = read.response().header("connection");
        if (read.reusable() && (connection == null || !connection.toLowerCase(Locale.ROOT).contains("close"))) {
            release(peer, new Connection(c.socket(), c.in(), System.currentTimeMillis()));
        } else {
            closeQuietly(c.socket());
        }
        return read.response();
    }

    private Connection take(Peer peer) {
        ConcurrentLinkedDeque<Connection> queue = idle.get(peer);
        if (queue == null) {
            return null;
        }
        long now = System.currentTimeMillis();
        for (Connection c; (c = queue.pollLast()) != null; ) {
            if (now - c.idleSince() < IDLE_MILLIS && !c.socket().isClosed()) {
                return c;
            }
            closeQuietly(c.socket());
        }
        return null;
    }

    private void release(Peer peer, Connection c) {
        ConcurrentLinkedDeque<Connection> queue = idle.computeIfAbsent(peer, p -> new ConcurrentLinkedDeque<>());
        queue.addLast(c);
        while (queue.size() > MAX_IDLE_PER_PEER) {
            Connection oldest = queue.pollFirst();
            if (oldest != null) {
                closeQuietly(oldest.socket());
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** A response and whether the connection is left at a clean message boundary. */
    private record Read(Response response, boolean reusable) {}

    /** A body longer than the caller admits: not the peer's failure, so not a reason to back off from it. */
    static final class BodyTooLarge extends IOException {
        BodyTooLarge(long max) {
            super("response over the limit of " + max + " bytes");
        }
    }

    private static Read read(InputStream in, String method, long max, Path bodyFile) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x response: " + statusLine);
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + statusLine);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                headers.merge(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip(),
                        (a, b) -> a + ", " + b);
            }
        }
        if (status == 100) {
            return read(in, method, max, bodyFile);
        }
        if (method.equals("HEAD") || status == 204 || status == 304) {
            if (bodyFile != null) {
                Files.write(bodyFile, new byte[0]);
            }
            return new Read(new Response(status, headers, new byte[0]), true);
        }
        if (bodyFile == null) {
            ByteArrayOutputStream memory = new ByteArrayOutputStream();
            boolean reusable = body(in, headers, max, memory);
            return new Read(new Response(status, headers, memory.toByteArray()), reusable);
        }
        try (OutputStream file = Files.newOutputStream(bodyFile)) {
            boolean reusable = body(in, headers, max, file);
            return new Read(new Response(status, headers, new byte[0]), reusable);
        }
    }

    /** Copies the body to {@code out}, at most {@code max} bytes; whether the connection can carry another request. */
    private static boolean body(InputStream in, Map<String, String> headers, long max, OutputStream out)
            throws IOException {
        String encoding = headers.getOrDefault("transfer-encoding", "");
        if (encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            chunked(in, max, out);
            return true;
        }
        if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length");
            }
            if (length < 0) {
                throw new IOException("bad Content-Length");
            }
            if (length > max) {
                throw new BodyTooLarge(max);
            }
            long copied = copy(in, out, length);
            if (copied != length) {
                throw new IOException("response ended after " + copied + " of " + length + " bytes");
            }
            return true;
        }
        // Delimited by the end of the connection: it cannot carry another request.
        if (copy(in, out, max + 1) > max) {
            throw new BodyTooLarge(max);
        }
        return false;
    }

    private static void chunked(InputStream in, long max, OutputStream out) throws IOException {
        long total = 0;
        while (true) {
            String sizeLine = line(in);
            int semi = sizeLine.indexOf(';');
            long size;
            try {
                size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + sizeLine);
            }
            if (size == 0) {
                for (String trailer = line(in); !trailer.isEmpty(); trailer = line(in)) {
                    // trailers are not used
                }
                return;
            }
            if (size < 0) {
                throw new IOException("bad chunk size: " + sizeLine);
            }
            if (total + size > max) {
                throw new BodyTooLarge(max);
            }
            if (copy(in, out, size) != size) {
                throw new IOException("response ended inside a chunk");
            }
            total += size;
            line(in);
        }
    }

    /** Copies up to {@code limit} bytes (fewer when the stream ends first); the number copied. */
    private static long copy(InputStream in, OutputStream out, long limit) throws IOException {
        byte[] buf = new byte[(int) Math.min(65_536, Math.max(1, limit))];
        long copied = 0;
        while (copied < limit) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, limit - copied));
            if (n < 0) {
                break;
            }
            out.write(buf, 0, n);
            copied += n;
        }
        return copied;
    }

    // A CRLF-terminated line of at most 16 KiB (headers longer than that are refused).
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            if (line.size() > 16_384) {
                throw new IOException("response header line too long");
            }
            line.write(b);
        }
    }

    static boolean isIpAddress(String host) {
        return host.indexOf(':') >= 0 || host.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
    }
}
