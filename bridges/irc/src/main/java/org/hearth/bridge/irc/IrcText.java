package org.hearth.bridge.irc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Fitting text into IRC lines: split on newlines, then into chunks whose line stays within 512 bytes. */
public final class IrcText {
    // What the server puts in front when it relays our line (":nick!user@host "): user up to 10, host up to 63.
    private static final int PREFIX_RESERVE = 1 + 1 + 10 + 1 + 63 + 1;

    private IrcText() {}

    /** The largest text (in UTF-8 bytes) one {@code COMMAND target :text} line of {@code nick} can carry. */
    public static int room(String nick, String command, String target) {
        int overhead = PREFIX_RESERVE + nick.getBytes(StandardCharsets.UTF_8).length + command.length() + 1
                + target.getBytes(StandardCharsets.UTF_8).length + 2 + 2;
        return IrcMessage.MAX_LINE_BYTES - overhead;
    }

    /**
     * The text as IRC lines of at most {@code maxBytes} UTF-8 bytes each: one per input line (empty lines dropped),
     * long ones cut at the last space that fits, else at a character boundary (never inside a code point).
     */
    public static List<String> split(String text, int maxBytes) {
        if (maxBytes < 4) {
            throw new IllegalArgumentException("no room for text in an IRC line");
        }
        List<String> out = new ArrayList<>();
        for (String line : text.split("\r\n|\r|\n")) {
            String rest = line;
            while (utf8Length(rest) > maxBytes) {
                int cut = cutIndex(rest, maxBytes);
                int space = rest.lastIndexOf(' ', cut);
                int end = space > cut / 2 ? space : cut;
                out.add(rest.substring(0, end));
                rest = rest.substring(end).stripLeading();
            }
            if (!rest.isBlank()) {
                out.add(rest);
            }
        }
        return out;
    }

    /** The index of the first char that no longer fits in {@code maxBytes}, on a code point boundary. */
    static int cutIndex(String s, int maxBytes) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (bytes + n > maxBytes) {
                break;
            }
            bytes += n;
            i += Character.charCount(cp);
        }
        return i;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A line cut to the protocol limit (510 bytes before CRLF) on a character boundary. */
    public static String fitLine(String line) {
        return utf8Length(line) <= IrcMessage.MAX_LINE_BYTES - 2 ? line : line.substring(0, cutIndex(line, IrcMessage.MAX_LINE_BYTES - 2));
    }
}
