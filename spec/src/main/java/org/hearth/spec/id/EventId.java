package org.hearth.spec.id;

import java.util.Optional;

/**
 * An event ID (spec: appendices, "Event IDs"): {@code $opaque:server} in room versions 1 and 2, {@code $} and a
 * base64 reference hash from 3 on. Opaque otherwise: only the sigil, the 255-byte limit, and the absence of
 * NUL and lone surrogates are checked, so IDs from any room version parse.
 */
public record EventId(String value) {

    /** Validates {@code value}; {@code M_INVALID_PARAM} when malformed. */
    public EventId {
        String why = problem(value);
        if (why != null) {
            throw Identifiers.invalid("event ID", value, why);
        }
    }

    /** {@code M_INVALID_PARAM} unless {@code value} is an event ID. */
    public static EventId parse(String value) {
        return new EventId(value);
    }

    /** The event ID, or empty when {@code value} is not one. */
    public static Optional<EventId> tryParse(String value) {
        return problem(value) == null ? Optional.of(new EventId(value)) : Optional.empty();
    }

    /**
     * The text after the first {@code :}, the origin server of a room version 1/2 event ID (used by the v1
     * redaction auth rule); empty for hash-based IDs.
     */
    public Optional<String> domain() {
        int colon = value.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(value.substring(colon + 1));
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String v) {
        if (v == null || v.isEmpty() || v.charAt(0) != '$') {
            return "must start with '$'";
        }
        if (v.length() == 1) {
            return "empty";
        }
        if (Identifiers.tooLong(v)) {
            return Identifiers.TOO_LONG;
        }
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == 0) {
                return "contains NUL";
            }
            if (Character.isHighSurrogate(c) && i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "contains a lone surrogate";
            }
        }
        return null;
    }
}
