package org.hearth.spec.id;

import java.util.Optional;

/**
 * A room ID (spec: appendices, "Room IDs"): {@code !opaque:server} before room version 12,
 * {@code !<url-safe reference hash of the create event>} from 12 on.
 */
public record RoomId(String value) {

    /** Validates {@code value}; {@code M_INVALID_PARAM} when malformed. */
    public RoomId {
        String why = problem(value);
        if (why != null) {
            throw Identifiers.invalid("room ID", value, why);
        }
    }

    /** {@code M_INVALID_PARAM} unless {@code value} is a room ID of either form. */
    public static RoomId parse(String value) {
        return new RoomId(value);
    }

    /** The room ID, or empty when {@code value} is not one. */
    public static Optional<RoomId> tryParse(String value) {
        return problem(value) == null ? Optional.of(new RoomId(value)) : Optional.empty();
    }

    /** The server that created the room; empty for room version 12+ IDs, which have no domain. */
    public Optional<ServerName> serverName() {
        int colon = value.indexOf(':');
        return colon < 0 ? Optional.empty() : Optional.of(new ServerName(value.substring(colon + 1)));
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String v) {
        if (v == null || v.isEmpty() || v.charAt(0) != '!') {
            return "must start with '!'";
        }
        if (Identifiers.tooLong(v)) {
            return Identifiers.TOO_LONG;
        }
        int colon = v.indexOf(':');
        // v12: the create event's ID with '!' as sigil, "the grammar is otherwise inherited verbatim" from event IDs.
        String opaque = colon < 0 ? v.substring(1) : v.substring(1, colon);
        if (colon < 0 && opaque.isEmpty()) {
            return "empty";
        }
        String why = Identifiers.badOpaqueChar(opaque);
        if (why != null) {
            return "localpart " + why;
        }
        return colon < 0 ? null : UserId.serverProblem(v.substring(colon + 1));
    }
}
