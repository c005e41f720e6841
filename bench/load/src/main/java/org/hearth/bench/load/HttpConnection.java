package org.hearth.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 keep-alive connection over a plain socket, used by one thread at a time.
 *
 * <p>Bodies are read by Content-Length (or chunked framing), never until the socket closes: Helidon may send
 * {@code Connection: close} and keep the socket open (STACK.md). The local address can be chosen so that many
 * connections to one server port spread over 127.0.0.x and do not run out of ephemeral ports.
 */
final class HttpConnection implements Closeable {
    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final InetSocketAddress server;
    private final InetAddress local;
    private final String hostHeader;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    HttpConnection(InetSocketAddress server, InetAddress local) {
        this.server = server;
        this.local = local;
        this.hostHeader = server.getHostString() + ":" + server.getPort();
    }

    /**
     * Sends one request and reads its whole response. A request that fails before any byte of the answer arrived
     * on a reused connection (the server closed it while idle) is sent once more on a fresh one; every request the
     * generator sends is idempotent (transaction IDs) or harmless to repeat.
     */
    Response exchange(String method, String target, String token, byte[] body, int timeoutMs) throws IOException {
        boolean reused = socket != null;
        try {
            return once(method, target, token, body, timeoutMs);
        } catch (StaleConnection e) {
            close();
            if (!reused) {
                throw e;
            }
            return once(method, target, token, body, timeoutMs);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Response once(String method, String target, String token, byte[] body, int timeoutMs) throws IOException {
        if (socket == null) {
            connect();
        }
        socket.setSoTimeout(timeoutMs);
        StringBuilder head = new StringBuilder(256)
                .append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
        if (token != null) {
            head.append("Authorization: Bearer ").append(token).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        } else if (!method.equals("GET")) {
            head.append("Content-Length: 0\r\n");
        }
        head.append("\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
        } catch (IOException e) {
            throw new StaleConnection(e);
        }
        String statusLine = readLine(true);
        if (statusLine == null) {
            throw new StaleConnection(new EOFException("connection closed before the answer"));
        }
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.x status line: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        long length = -1;
        boolean chunked = false;
        boolean close = parts[0].equals("HTTP/1.0");
        String line;
        while ((line = readLine(false)) != null && !line.isEmpty()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close |= value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        if (line == null) {
            throw new EOFException("connection closed inside the headers");
        }
        byte[] content;
        if (method.equals("HEAD") || status == 204 || status == 304 || (status >= 100 && status < 200)) {
            content = new byte[0];
        } else if (chunked) {
            content = readChunked();
        } else if (length >= 0) {
            content = in.readNBytes((int) length);
            if (content.length != length) {
                throw new EOFException("body shorter than its Content-Length");
            }
        } else {
            content = in.readAllBytes();
            close = true;
        }
        if (close) {
            close();
        }
        return new Response(status, content);
    }

    private void connect() throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setReuseAddress(true);
        if (local != null) {
            s.bind(new InetSocketAddress(local, 0));
        }
        s.connect(server, 10_000);
        socket = s;
        in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
        out = s.getOutputStream();
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(false);
            if (sizeLine == null) {
                throw new EOFException("connection closed inside a chunked body");
            }
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                String trailer;
                while ((trailer = readLine(false)) != null && !trailer.isEmpty()) {
                    // trailers are ignored
                }
                return body.toByteArray();
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new EOFException("chunk shorter than announced");
            }
            body.write(chunk);
            readLine(false);
        }
    }

    /** A line without its CRLF; null at end of stream before any byte. */
    private String readLine(boolean first) throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (IOException e) {
                if (first && sb.isEmpty() && !(e instanceof java.net.SocketTimeoutException)) {
                    throw new StaleConnection(e);
                }
                throw e;
            }
            if (b < 0) {
                return sb.isEmpty() ? null : sb.toString();
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) b);
            if (sb.length() > 64 * 1024) {
                throw new IOException("header line too long");
            }
        }
    }

    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /** The request may not have reached the server: safe to send once more on a new connection. */
    private static final class StaleConnection extends IOException {
        StaleConnection(Throwable cause) {
            super(cause.getMessage(), cause);
        }
    }
}
