package org.hearth.spec.id;

import java.util.Optional;

/**
 * A user ID, {@code @localpart:server} (spec: appendices, "User Identifiers").
 *
 * <p>Parsing accepts the historical localparts the spec says servers MUST accept from others (any
 * non-surrogate code point except {@code :} and NUL, even empty); {@link #isCompliant()} and
 * {@link #isValidLocalpartForNewUser} apply the current grammar.
 */
public record UserId(String value) {

    /** Validates {@code value}; {@code M_INVALID_PARAM} when malformed. */
    public UserId {
        String why = problem(value);
        if (why != null) {
            throw Identifiers.invalid("user ID", value, why);
        }
    }

    /** {@code M_INVALID_PARAM} unless {@code value} is a user ID (historical localparts allowed). */
    public static UserId parse(String value) {
        return new UserId(value);
    }

    /** The user ID, or empty when {@code value} is not one. */
    public static Optional<UserId> tryParse(String value) {
        return problem(value) == null ? Optional.of(new UserId(value)) : Optional.empty();
    }

    /** {@code @localpart:server}; {@code M_INVALID_PARAM} when the result is not a user ID. */
    public static UserId of(String localpart, ServerName server) {
        return new UserId("@" + localpart + ":" + server.value());
    }

    /**
     * Whether a server may create a user with this localpart: non-empty and only {@code a-z 0-9 . _ = - / +}
     * (spec: the {@code user_id_localpart} grammar). The 255-byte limit of the whole ID is checked by
     * {@link #of}.
     */
    public static boolean isValidLocalpartForNewUser(String localpart) {
        if (localpart == null || localpart.isEmpty()) {
            return false;
        }
        for (int i = 0; i < localpart.length(); i++) {
            char c = localpart.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '=' || c == '_' || c == '/' || c == '+';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    public String localpart() {
        return value.substring(1, value.indexOf(':'));
    }

    public ServerName serverName() {
        return new ServerName(value.substring(value.indexOf(':') + 1));
    }

    /** The server name as a string, for comparing domains. */
    public String domain() {
        return value.substring(value.indexOf(':') + 1);
    }

    /**
     * Whether the localpart is non-empty and within U+0021-U+007E: the spec calls other historical IDs
     * "non-compliant" (accepted in events, not forwarded to clients outside them).
     */
    public boolean isCompliant() {
        String local = localpart();
        return !local.isEmpty() && local.chars().allMatch(c -> c >= 0x21 && c <= 0x7E);
    }

    @Override
    public String toString() {
        return value;
    }

    // Written out, not the record's generated pair: user IDs key the per-member caches that push evaluation reads
    // for every member of a room on every event, and the generated ones showed in its profile.
    @Override
    public boolean equals(Object o) {
        return o instanceof UserId other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    private static String problem(String v) {
        if (v == null || v.isEmpty() || v.charAt(0) != '@') {
            return "must start with '@'";
        }
        if (Identifiers.tooLong(v)) {
            return Identifiers.TOO_LONG;
        }
        int colon = v.indexOf(':');
        if (colon < 0) {
            return "missing ':server'";
        }
        String why = Identifiers.badOpaqueChar(v.substring(1, colon));
        return why != null ? "localpart " + why : serverProblem(v.substring(colon + 1));
    }

    static String serverProblem(String server) {
        String why = ServerName.problem(server);
        return why == null ? null : "server name: " + why;
    }
}
