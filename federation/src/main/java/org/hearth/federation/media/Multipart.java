package org.hearth.federation.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code multipart/mixed} body of the federation media endpoints (spec: Server-Server API, "Content
 * Repository"; RFC 2046 section 5.1): a JSON metadata part, then the content or a {@code Location}.
 */
public final class Multipart {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] CRLF = {'\r', '\n'};

    private Multipart() {}

    /** One part: its headers by lower-case name, and its bytes. */
    public record Part(Map<String, String> headers, byte[] content) {
        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    /** A boundary no content can be expected to contain (32 random hex digits). */
    public static String newBoundary() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The boundary of a {@code multipart/mixed} Content-Type header, empty for any other type. */
    public static Optional<String> boundary(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String[] params = contentType.split(";");
        if (!params[0].strip().equalsIgnoreCase("multipart/mixed")) {
            return Optional.empty();
        }
        for (int i = 1; i < params.length; i++) {
            String p = params[i].strip();
            if (p.toLowerCase(Locale.ROOT).startsWith("boundary=")) {
                String value = p.substring("boundary=".length()).strip();
                if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                    value = value.substring(1, value.length() - 1);
                }
                return value.isEmpty() || value.length() > 70 ? Optional.empty() : Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /** What goes before the content of a two-part answer whose second part has {@code contentHeaders}. */
    public static byte[] head(String boundary, String metadataJson, Map<String, String> contentHeaders) {
        StringBuilder b = new StringBuilder();
        b.append("--").append(boundary).append("\r\nContent-Type: application/json\r\n\r\n").append(metadataJson)
                .append("\r\n--").append(boundary).append("\r\n");
        contentHeaders.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("\r\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What goes after the content. */
    public static byte[] tail(String boundary) {
        return ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The parts of {@code body}; empty when it is not a well-formed multipart body with that boundary. */
    public static Optional<List<Part>> parse(byte[] body, String boundary) {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        int at = indexOf(body, delimiter, 0);
        if (at < 0 || (at > 0 && !precededByLineBreak(body, at))) {
            return Optional.empty();
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            int after = at + delimiter.length;
            if (startsWith(body, after, new byte[] {'-', '-'})) {
                return Optional.of(List.copyOf(parts));
            }
            int start = skipLineBreak(body, skipSpaces(body, after));
            if (start < 0) {
                return Optional.empty();
            }
            int next = nextDelimiter(body, delimiter, start);
            if (next < 0) {
                return Optional.empty();
            }
            int end = next >= 2 && body[next - 2] == '\r' ? next - 2 : next - 1;
            Optional<Part> part = part(body, start, Math.max(start, end));
            if (part.isEmpty()) {
                return Optional.empty();
            }
            parts.add(part.get());
            at = next;
        }
    }

    /** The second part of a two-part body kept in a file: its headers, and where in the file its content lies. */
    public record FilePart(Map<String, String> headers, long offset, long length) {
        public String header(String lowerCaseName) {
            return headers.get(lowerCaseName);
        }
    }

    /**
     * The second part of the two-part body in {@code file}, read without loading the content: the parts' headers
     * and the metadata must lie in the first {@code headBytes}, the close delimiter at the end, and the second
     * part must have a blank line after its headers (a body small enough for {@link #parse} need not). Empty when
     * the file is not such a body.
     */
    public static Optional<FilePart> secondPart(Path file, String boundary, int headBytes) throws IOException {
        long size = Files.size(file);
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
        try (FileChannel channel = FileChannel.open(file)) {
            byte[] head = read(channel, 0, (int) Math.min(size, headBytes));
            int first = indexOf(head, delimiter, 0);
            if (first < 0 || (first > 0 && !precededByLineBreak(head, first))) {
                return Optional.empty();
            }
            int second = nextDelimiter(head, delimiter, first + delimiter.length);
            if (second < 0) {
                return Optional.empty();
            }
            int start = skipLineBreak(head, skipSpaces(head, second + delimiter.length));
            int blank = start < 0 ? -1 : indexOf(head, new byte[] {'\r', '\n', '\r', '\n'}, start);
            if (blank < 0) {
                return Optional.empty();
            }
            Optional<Part> headers = part(head, start, blank + 4);
            if (headers.isEmpty()) {
                return Optional.empty();
            }
            long offset = blank + 4;
            int tailLength = (int) Math.min(size - offset, 1024);
            byte[] tail = read(channel, size - tailLength, tailLength);
            byte[] close = ("\n--" + boundary + "--").getBytes(StandardCharsets.US_ASCII);
            int at = lastIndexOf(tail, close);
            if (at < 0) {
                return Optional.empty();
            }
            long end = size - tailLength + at - (at > 0 && tail[at - 1] == '\r' ? 1 : 0);
            return end < offset ? Optional.empty()
                    : Optional.of(new FilePart(headers.get().headers(), offset, end - offset));
        }
    }

    private static byte[] read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new IOException("file shorter than expected");
            }
        }
        return buffer.array();
    }

    private static int lastIndexOf(byte[] body, byte[] needle) {
        for (int i = body.length - needle.length; i >= 0; i--) {
            if (java.util.Arrays.equals(body, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    private static Optional<Part> part(byte[] body, int start, int end) {
        Map<String, String> headers = new HashMap<>();
        int pos = start;
        while (true) {
            int lineEnd = indexOf(body, new byte[] {'\n'}, pos);
            boolean last = lineEnd < 0 || lineEnd >= end;
            int contentEnd = last ? end : lineEnd > pos && body[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            String line = new String(body, pos, Math.max(0, contentEnd - pos), StandardCharsets.UTF_8);
            pos = lineEnd + 1;
            if (line.isEmpty()) {
                byte[] content = java.util.Arrays.copyOfRange(body, Math.min(pos, end), end);
                return Optional.of(new Part(headers, content));
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            headers.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
            if (last) {
                // Headers without the blank line: a part with no content (a Location, say).
                return Optional.of(new Part(headers, new byte[0]));
            }
        }
    }

    private static int nextDelimiter(byte[] body, byte[] delimiter, int from) {
        int at = from;
        while ((at = indexOf(body, delimiter, at)) >= 0) {
            if (precededByLineBreak(body, at)) {
                return at;
            }
            at++;
        }
        return -1;
    }

    private static boolean precededByLineBreak(byte[] body, int at) {
        return at > 0 && body[at - 1] == '\n';
    }

    private static int skipSpaces(byte[] body, int pos) {
        while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
            pos++;
        }
        return pos;
    }

    private static int skipLineBreak(byte[] body, int pos) {
        if (startsWith(body, pos, CRLF)) {
            return pos + 2;
        }
        return pos < body.length && body[pos] == '\n' ? pos + 1 : -1;
    }

    private static boolean startsWith(byte[] body, int pos, byte[] prefix) {
        return pos + prefix.length <= body.length
                && java.util.Arrays.equals(body, pos, pos + prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] body, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= body.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (body[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
