package org.hearth.spec.id;

import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/** Checks shared by the identifier records (spec: appendices, "Identifier Grammar"). */
final class Identifiers {
    private Identifiers() {}

    /** User IDs, room IDs, room aliases and event IDs: at most 255 bytes including sigil and domain. */
    static final int MAX_BYTES = 255;

    static MatrixException invalid(String what, String value, String why) {
        String shown = value == null ? "null" : value.length() > 80 ? value.substring(0, 80) + "..." : value;
        return new MatrixException(ErrorCode.INVALID_PARAM, "invalid " + what + " '" + shown + "': " + why);
    }

    static int utf8Length(String s) {
        int n = s.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // 2 bytes below U+0800, 3 for the rest of the BMP, 4 for a surrogate pair (2 chars: +1 each)
                bytes += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
            }
        }
        return bytes;
    }

    static boolean tooLong(String value) {
        return utf8Length(value) > MAX_BYTES;
    }

    static final String TOO_LONG = "longer than " + MAX_BYTES + " bytes";

    /**
     * The historical localpart grammar that receivers must accept (spec: "Historical User IDs", "Room IDs",
     * "Room Aliases"): any non-surrogate code point except {@code :} and NUL.
     */
    static String badOpaqueChar(String localpart) {
        for (int i = 0; i < localpart.length(); i++) {
            char c = localpart.charAt(i);
            if (c == ':') {
                return "contains ':'";
            }
            if (c == 0) {
                return "contains NUL";
            }
            if (Character.isHighSurrogate(c) && i + 1 < localpart.length()
                    && Character.isLowSurrogate(localpart.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains a lone surrogate";
            }
        }
        return null;
    }
}
