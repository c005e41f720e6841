package org.hearth.bridge.irc;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Nicks to user-ID localparts and back (spec appendix "Mapping from other character sets"). */
public final class MatrixIds {
    private MatrixIds() {}

    /**
     * IRC nicks are case-insensitive, so the nick is lowercased first; then {@code _} becomes {@code __} and bytes
     * outside {@code [a-z0-9.=/-]} become {@code =xx}.
     */
    public static String escapeNick(String nick) {
        StringBuilder out = new StringBuilder();
        for (byte b : nick.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '_') {
                out.append("__");
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/') {
                out.append((char) c);
            } else {
                out.append('=').append(String.format(Locale.ROOT, "%02x", c));
            }
        }
        return out.toString();
    }

    /** The inverse of {@link #escapeNick}: empty when {@code localpart} is not something it wrote. */
    public static java.util.Optional<String> unescapeNick(String localpart) {
        var bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < localpart.length(); i++) {
            char c = localpart.charAt(i);
            if (c == '_') {
                if (i + 1 >= localpart.length() || localpart.charAt(i + 1) != '_') {
                    return java.util.Optional.empty();
                }
                bytes.write('_');
                i++;
            } else if (c == '=') {
                int value;
                try {
                    value = Integer.parseInt(localpart.substring(i + 1, i + 3), 16);
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    return java.util.Optional.empty();
                }
                bytes.write(value);
                i += 2;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/') {
                bytes.write(c);
            } else {
                return java.util.Optional.empty();
            }
        }
        var decoder = StandardCharsets.UTF_8.newDecoder();
        try {
            String nick = decoder.decode(java.nio.ByteBuffer.wrap(bytes.toByteArray())).toString();
            return nick.isEmpty() || !escapeNick(nick).equals(localpart) ? java.util.Optional.empty()
                    : java.util.Optional.of(nick);
        } catch (java.nio.charset.CharacterCodingException e) {
            return java.util.Optional.empty();
        }
    }

    /** A nick for a Matrix user's puppet: letters, digits and {@code -_[]\`^{}|} from the display name, 1-16 long. */
    public static String nickFor(String displayName, String userId) {
        String from = displayName == null || displayName.isBlank() ? userId.substring(1, userId.indexOf(':')) : displayName;
        String nick = from.replaceAll("[^A-Za-z0-9\\-_\\[\\]\\\\`^{}|]", "");
        if (nick.isEmpty() || Character.isDigit(nick.charAt(0)) || nick.charAt(0) == '-') {
            nick = "m" + nick;
        }
        return nick.length() > 16 ? nick.substring(0, 16) : nick;
    }

    /** A valid channel name (RFC 2812 section 1.3): # or &, then no space, comma, BEL or colon, 50 chars at most. */
    public static boolean validChannel(String channel) {
        return channel != null && channel.matches("[#&][^\\s,\\x07:]{1,49}");
    }
}
