package org.hearth.bridge.irc;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One IRC protocol line (RFC 1459 section 2.3.1, RFC 2812 section 2.3.1): optional IRCv3 tags (ignored), optional
 * prefix, command, up to 15 parameters, the last one maybe a trailing parameter with spaces.
 */
public record IrcMessage(String prefix, String command, List<String> params) {
    /** The protocol limit: 512 bytes including CRLF. */
    public static final int MAX_LINE_BYTES = 512;

    public IrcMessage {
        params = List.copyOf(params);
    }

    public static IrcMessage of(String command, String... params) {
        return new IrcMessage(null, command, List.of(params));
    }

    /** Parses a line without its CRLF; null for an empty or unusable line (a server never sends those). */
    public static IrcMessage parse(String line) {
        String rest = line.strip();
        if (rest.startsWith("@")) {
            int space = rest.indexOf(' ');
            rest = space < 0 ? "" : rest.substring(space + 1).stripLeading();
        }
        String prefix = null;
        if (rest.startsWith(":")) {
            int space = rest.indexOf(' ');
            if (space < 0) {
                return null;
            }
            prefix = rest.substring(1, space);
            rest = rest.substring(space + 1).stripLeading();
        }
        if (rest.isEmpty()) {
            return null;
        }
        List<String> params = new ArrayList<>();
        int space = rest.indexOf(' ');
        String command = (space < 0 ? rest : rest.substring(0, space)).toUpperCase(java.util.Locale.ROOT);
        rest = space < 0 ? "" : rest.substring(space + 1);
        while (!rest.isEmpty()) {
            if (rest.startsWith(":")) {
                params.add(rest.substring(1));
                break;
            }
            space = rest.indexOf(' ');
            if (space < 0) {
                params.add(rest);
                break;
            }
            if (space > 0) {
                params.add(rest.substring(0, space));
            }
            rest = rest.substring(space + 1);
        }
        return new IrcMessage(prefix, command, params);
    }

    /** Decodes a received line: UTF-8 when it is valid, else Latin-1 (older clients), never an exception. */
    public static String decode(byte[] line) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(line)).toString();
        } catch (CharacterCodingException e) {
            return new String(line, StandardCharsets.ISO_8859_1);
        }
    }

    /** The nick of the prefix {@code nick!user@host} (the whole prefix for a server). */
    public String nick() {
        if (prefix == null) {
            return "";
        }
        int bang = prefix.indexOf('!');
        return bang < 0 ? prefix : prefix.substring(0, bang);
    }

    public String param(int i) {
        return i < params.size() ? params.get(i) : "";
    }

    /** The line to send, without CRLF; CR, LF and NUL in parameters become spaces (they would end the line). */
    public String toLine() {
        StringBuilder out = new StringBuilder();
        if (prefix != null) {
            out.append(':').append(prefix).append(' ');
        }
        out.append(command);
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i).replaceAll("[\r\n\0]", " ");
            out.append(' ');
            if (i == params.size() - 1 && (p.isEmpty() || p.contains(" ") || p.startsWith(":"))) {
                out.append(':');
            }
            out.append(p);
        }
        return out.toString();
    }
}
