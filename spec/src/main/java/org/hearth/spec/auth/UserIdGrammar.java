package org.hearth.spec.auth;

import java.nio.charset.StandardCharsets;

/**
 * The user ID validation the authorization rules apply (spec: appendices, "User Identifiers" and
 * "Server Name"): the historical grammar, since rooms hold senders with non-compliant localparts that
 * servers MUST accept.
 */
final class UserIdGrammar {
    private UserIdGrammar() {}

    static boolean isValid(String userId) {
        if (userId == null || !userId.startsWith("@")
                || userId.getBytes(StandardCharsets.UTF_8).length > 255) {
            return false;
        }
        int colon = userId.indexOf(':');
        if (colon < 0) {
            return false;
        }
        // Historical localparts: any non-surrogate code point except ':' and NUL, even empty.
        for (int i = 1; i < colon; i++) {
            char c = userId.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < colon && Character.isLowSurrogate(userId.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return isServerName(userId.substring(colon + 1));
    }

    /** The part after the first colon of a user, room or v1/v2 event ID; empty when there is none. */
    static String domain(String id) {
        if (id == null) {
            return "";
        }
        int colon = id.indexOf(':');
        return colon < 0 ? "" : id.substring(colon + 1);
    }

    static boolean isServerName(String name) {
        String host;
        String rest;
        if (name.startsWith("[")) {
            int close = name.indexOf(']');
            if (close < 0) {
                return false;
            }
            String ipv6 = name.substring(1, close);
            if (ipv6.length() < 2 || ipv6.length() > 45 || !ipv6.chars().allMatch(UserIdGrammar::isIpv6Char)) {
                return false;
            }
            host = name.substring(0, close + 1);
            rest = name.substring(close + 1);
        } else {
            int colon = name.indexOf(':');
            host = colon < 0 ? name : name.substring(0, colon);
            rest = colon < 0 ? "" : name.substring(colon);
            // dns-name = 1*255dns-char; an IPv4 literal is made of the same characters.
            if (host.isEmpty() || host.length() > 255 || !host.chars().allMatch(UserIdGrammar::isDnsChar)) {
                return false;
            }
        }
        if (rest.isEmpty()) {
            return true;
        }
        String port = rest.substring(1);
        return rest.charAt(0) == ':' && !port.isEmpty() && port.length() <= 5
                && port.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static boolean isDnsChar(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '.';
    }

    private static boolean isIpv6Char(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    }
}
