package org.hearth.spec.id;

import java.util.Optional;

/** A room alias, {@code #localpart:server} (spec: appendices, "Room Aliases"). */
public record RoomAlias(String value) {

    /** Validates {@code value}; {@code M_INVALID_PARAM} when malformed. */
    public RoomAlias {
        String why = problem(value);
        if (why != null) {
            throw Identifiers.invalid("room alias", value, why);
        }
    }

    /** {@code M_INVALID_PARAM} unless {@code value} is a room alias. */
    public static RoomAlias parse(String value) {
        return new RoomAlias(value);
    }

    /** The alias, or empty when {@code value} is not one. */
    public static Optional<RoomAlias> tryParse(String value) {
        return problem(value) == null ? Optional.of(new RoomAlias(value)) : Optional.empty();
    }

    /** {@code #localpart:server}; {@code M_INVALID_PARAM} when the result is not an alias. */
    public static RoomAlias of(String localpart, ServerName server) {
        return new RoomAlias("#" + localpart + ":" + server.value());
    }

    public String localpart() {
        return value.substring(1, value.indexOf(':'));
    }

    public ServerName serverName() {
        return new ServerName(value.substring(value.indexOf(':') + 1));
    }

    @Override
    public String toString() {
        return value;
    }

    private static String problem(String v) {
        if (v == null || v.isEmpty() || v.charAt(0) != '#') {
            return "must start with '#'";
        }
        if (Identifiers.tooLong(v)) {
            return Identifiers.TOO_LONG;
        }
        int colon = v.indexOf(':');
        if (colon < 0) {
            return "missing ':server'";
        }
        // "The localpart of a room alias may contain any valid non-surrogate Unicode codepoints except : and NUL."
        String why = Identifiers.badOpaqueChar(v.substring(1, colon));
        return why != null ? "localpart " + why : UserId.serverProblem(v.substring(colon + 1));
    }
}
