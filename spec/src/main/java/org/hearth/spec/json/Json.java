package org.hearth.spec.json;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/** Parsing JSON text into jakarta.json values, with numbers kept exact and duplicate keys refused. */
public final class Json {
    private Json() {}

    /** Parses any JSON text; {@code M_NOT_JSON} when it is not JSON (including duplicate keys). */
    public static JsonValue parse(String text) {
        throw new UnsupportedOperationException("not yet written");
    }

    /** Parses UTF-8 JSON bytes; {@code M_NOT_JSON} when they are not JSON. */
    public static JsonValue parse(byte[] utf8) {
        throw new UnsupportedOperationException("not yet written");
    }

    /** Parses a JSON object; {@code M_NOT_JSON} when not JSON, {@code M_BAD_JSON} when not an object. */
    public static JsonObject parseObject(String text) {
        throw new UnsupportedOperationException("not yet written");
    }
}
