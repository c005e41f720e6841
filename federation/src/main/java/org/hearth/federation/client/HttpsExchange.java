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
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 request over TLS to an exact IP address, with the TLS name (SNI and certificate check) and the
 * {@code Host} header chosen separately: server name resolution decides all three, which the JDK's HttpClient
 * cannot be told (it derives them from the URL). One connection per request ({@code Connection: close}).
 */
final class HttpsExchange {
    private HttpsExchange() {}

    record Response(int status, Map<String, String> headers, byte[] body) {
        /** A header by lower-case name. */
        String header(String name) {
            return headers.get(name);
        }
    }

    static Response send(FederationTls tls, InetAddress address, int port, String tlsName, String hostHeader,
                         String method, String target, Map<String, String> headers, byte[] body,
                         Duration connectTimeout, Duration readTimeout, long maxResponseBytes) throws IOException {
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), (int) connectTimeout.toMillis());
            plain.setSoTimeout((int) readTimeout.toMillis());
            // The host given here is what the certificate is checked against and, for a DNS name, the SNI.
            try (SSLSocket socket = (SSLSocket) tls.context().getSocketFactory()
                    .createSocket(plain, tlsName, port, true)) {
                SSLParameters params = socket.getSSLParameters();
                if (tls.verify()) {
                    params.setEndpointIdentificationAlgorithm("HTTPS");
                }
                if (!isIpAddress(tlsName)) {
                    params.setServerNames(java.util.List.of(new SNIHostName(tlsName)));
                }
                socket.setSSLParameters(params);
                socket.startHandshake();
                OutputStream out = socket.getOutputStream();
                StringBuilder head = new StringBuilder();
                head.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
                head.append("Host: ").append(hostHeader).append("\r\n");
                head.append("Connection: close\r\n");
                head.append("User-Agent: Hearth\r\n");
                headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
                if (body != null) {
                    head.append("Content-Length: ").append(body.length).append("\r\n");
                }
                head.append("\r\n");
                out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                return read(new BufferedInputStream(socket.getInputStream()), method, maxResponseBytes);
            }
        }
    }

    private static Response read(InputStream in, String method, long max) throws IOException {
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
            return read(in, method, max);
        }
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return new Response(status, headers, new byte[0]);
        }
        byte[] body;
        String encoding = headers.getOrDefault("transfer-encoding", "");
        if (encoding.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = chunked(in, max);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length");
            }
            if (length > max || length < 0) {
                throw new IOException("response of " + length + " bytes is over the limit of " + max);
            }
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new IOException("response ended after " + body.length + " of " + length + " bytes");
            }
        } else {
            body = readAll(in, max);
        }
        return new Response(status, headers, body);
    }

    private static byte[] chunked(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
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
                return out.toByteArray();
            }
            if (size < 0 || out.size() + size > max) {
                throw new IOException("response over the limit of " + max + " bytes");
            }
            byte[] chunk = in.readNBytes((int) size);
            if (chunk.length != size) {
                throw new IOException("response ended inside a chunk");
            }
            out.write(chunk);
            line(in);
        }
    }

    private static byte[] readAll(InputStream in, long max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        for (int n; (n = in.read(buf)) >= 0; ) {
            if (out.size() + n > max) {
                throw new IOException("response over the limit of " + max + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
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
