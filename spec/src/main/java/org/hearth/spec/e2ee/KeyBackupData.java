package org.hearth.spec.e2ee;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * One backed-up Megolm session key (spec: Client-Server API, "Server-side key backups", {@code KeyBackupData}).
 * The server never reads {@code sessionData}; it keeps or replaces a stored key by the metadata alone.
 */
public record KeyBackupData(long firstMessageIndex, long forwardedCount, boolean isVerified, JsonObject sessionData) {

    /**
     * Validates one {@code KeyBackupData} object: the four fields are required; {@code M_MISSING_PARAM} when one
     * is absent, {@code M_BAD_JSON} for a wrong type or a negative count.
     */
    public static KeyBackupData parse(JsonObject o) {
        long index = Json.requiredLong(o, "first_message_index");
        long forwarded = Json.requiredLong(o, "forwarded_count");
        if (index < 0 || forwarded < 0) {
            throw new MatrixException(ErrorCode.BAD_JSON, "first_message_index and forwarded_count must not be negative");
        }
        JsonValue verified = o.get("is_verified");
        if (verified == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "missing 'is_verified'");
        }
        if (verified != JsonValue.TRUE && verified != JsonValue.FALSE) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'is_verified' must be a boolean");
        }
        return new KeyBackupData(index, forwarded, verified == JsonValue.TRUE, Json.requiredObject(o, "session_data"));
    }

    /**
     * Whether this key, offered for a session the backup already holds, replaces the {@code stored} one. The spec's
     * order: a different {@code is_verified} keeps the verified key; otherwise the lower {@code first_message_index};
     * then the lower {@code forwarded_count}. A key equal on all three keeps the stored one.
     */
    public boolean replaces(KeyBackupData stored) {
        if (isVerified != stored.isVerified) {
            return isVerified;
        }
        if (firstMessageIndex != stored.firstMessageIndex) {
            return firstMessageIndex < stored.firstMessageIndex;
        }
        return forwardedCount < stored.forwardedCount;
    }

    public JsonObject toJson() {
        return Json.objectBuilder()
                .add("first_message_index", firstMessageIndex)
                .add("forwarded_count", forwardedCount)
                .add("is_verified", isVerified)
                .add("session_data", sessionData)
                .build();
    }
}
