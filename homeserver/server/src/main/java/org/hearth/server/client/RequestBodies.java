package org.hearth.server.client;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Optional;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/** Typed reads of optional request fields the spec module's Json does not cover. */
final class RequestBodies {
    private RequestBodies() {}

    /** The boolean at {@code key}; {@code fallback} when absent or null, {@code M_BAD_JSON} when another type. */
    static boolean optionalBoolean(JsonObject body, String key, boolean fallback) {
        JsonValue v = body.get(key);
        if (v == null || v == JsonValue.NULL) {
            return fallback;
        }
        if (v == JsonValue.TRUE) {
            return true;
        }
        if (v == JsonValue.FALSE) {
            return false;
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be a boolean");
    }

    /** The object at {@code key}; empty when absent or null, {@code M_BAD_JSON} when another type. */
    static Optional<JsonObject> optionalObject(JsonObject body, String key) {
        JsonValue v = body.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (v instanceof JsonObject o) {
            return Optional.of(o);
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be an object");
    }
}
