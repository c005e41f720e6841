package org.hearth.spec.json;

import jakarta.json.JsonValue;

/** Canonical JSON (spec: appendices, "Canonical JSON"). */
public final class CanonicalJson {
    private CanonicalJson() {}

    /** Canonical form; {@code M_BAD_JSON} for floats or integers outside [-(2^53)+1, 2^53-1]. */
    public static String encode(JsonValue value) {
        throw new UnsupportedOperationException("not yet written");
    }

    /** Canonical form as UTF-8 bytes, as signed and hashed. */
    public static byte[] encodeBytes(JsonValue value) {
        throw new UnsupportedOperationException("not yet written");
    }
}
