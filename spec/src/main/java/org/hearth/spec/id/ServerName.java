package org.hearth.spec.id;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A homeserver's name: a DNS name, IPv4 literal or bracketed IPv6 literal with an optional port (spec:
 * appendices, "Server Name"). Compared case-sensitively, as the spec requires.
 */
public record ServerName(String value) {

    /** Validates {@code value}; use {@link #parse} for untrusted input. */
    public ServerName {
        String why = problem(value);
        if (why != null) {
            throw Identifiers.invalid("server name", value, why);
        }
    }

    /** {@code M_INVALID_PARAM} unless {@code value} matches the server name grammar. */
    public static ServerName parse(String value) {
        return new ServerName(value);
    }

    /** The server name, or empty when {@code value} does not match the grammar. */
    public static Optional<ServerName> tryParse(String value) {
        return problem(value) == null ? Optional.of(new ServerName(value)) : Optional.empty();
    }

    /** Whether {@code value} matches the server name grammar. */
    public static boolean isValid(String value) {
        return problem(value) == null;
    }

    /** The host part: DNS name, IPv4 literal or {@code [IPv6]} with its brackets. */
    public String host() {
        return value.substring(0, hostEnd(value));
    }

    /** The explicit port, if any. */
    public OptionalInt port() {
        int end = hostEnd(value);
        return end == value.length() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(value.substring(end + 1)));
    }

    @Override
    public String toString() {
        return value;
    }

    private static int hostEnd(String s) {
        if (s.startsWith("[")) {
            return s.indexOf(']') + 1;
        }
        int colon = s.lastIndexOf(':');
        return colon < 0 ? s.length() : colon;
    }

    static String problem(String s) {
        if (s == null || s.isEmpty()) {
            return "empty";
        }
        String host;
        String port = null;
        if (s.charAt(0) == '[') {
            int close = s.indexOf(']');
            if (close < 0) {
                return "unclosed '['";
            }
            host = s.substring(0, close + 1);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    return "unexpected text after ']'";
                }
                port = rest.substring(1);
            }
        } else {
            int colon = s.lastIndexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            port = colon < 0 ? null : s.substring(colon + 1);
        }
        if (port != null && !isPort(port)) {
            return "port must be 1 to 5 digits";
        }
        if (host.startsWith("[")) {
            return isIpv6Literal(host.substring(1, host.length() - 1)) ? null : "bad IPv6 literal";
        }
        if (host.isEmpty()) {
            return "empty host";
        }
        if (looksLikeIpv4(host)) {
            return isIpv4(host) ? null : "IPv4 parts must be 0 to 255";
        }
        return isDnsName(host) ? null : "bad DNS name";
    }

    // port = 1*5DIGIT
    private static boolean isPort(String p) {
        if (p.isEmpty() || p.length() > 5) {
            return false;
        }
        for (int i = 0; i < p.length(); i++) {
            if (!isDigit(p.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    // IPv6address = 2*45IPv6char, and "IPv6 literals must be as specified by RFC3513, section 2.2": eight
    // groups of 1-4 hex digits, one "::" standing for one or more zero groups, optionally ending in an IPv4 quad.
    private static boolean isIpv6Literal(String a) {
        if (a.length() < 2 || a.length() > 45) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (!(isDigit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
                return false;
            }
        }
        int gap = a.indexOf("::");
        if (gap >= 0 && a.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        if (gap < 0) {
            return countGroups(a, true) == 8;
        }
        String head = a.substring(0, gap);
        String tail = a.substring(gap + 2);
        int headGroups = head.isEmpty() ? 0 : countGroups(head, false);
        int tailGroups = tail.isEmpty() ? 0 : countGroups(tail, true);
        return headGroups >= 0 && tailGroups >= 0 && headGroups + tailGroups <= 7;
    }

    // Number of 16-bit groups in a colon-separated run (an IPv4 tail counts as two), or -1 when malformed.
    private static int countGroups(String run, boolean ipv4TailAllowed) {
        String[] parts = run.split(":", -1);
        int groups = 0;
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (ipv4TailAllowed && i == parts.length - 1 && p.indexOf('.') >= 0) {
                if (!looksLikeIpv4(p) || !isIpv4(p)) {
                    return -1;
                }
                groups += 2;
            } else if (p.isEmpty() || p.length() > 4 || p.indexOf('.') >= 0) {
                return -1;
            } else {
                groups++;
            }
        }
        return groups;
    }

    // IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT
    private static boolean looksLikeIpv4(String h) {
        String[] parts = h.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    // Spec: "IPv4 literals must be a sequence of four decimal numbers in the range 0 to 255".
    private static boolean isIpv4(String h) {
        for (String p : h.split("\\.")) {
            if (Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }

    // dns-name = 1*255dns-char; dns-char = DIGIT / ALPHA / "-" / "."
    private static boolean isDnsName(String h) {
        if (h.length() > 255) {
            return false;
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (!(isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
