package org.hearth.spec.event;

import jakarta.json.JsonObject;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * The reference hash of an event (spec: server-server API, "Calculating the reference hash for an event"):
 * SHA-256 of the canonical JSON of the redacted event without {@code signatures} and {@code unsigned}. Event IDs
 * from room version 3 on, and room IDs from 12 on, are made from it.
 */
public final class ReferenceHash {
    private ReferenceHash() {}

    /** The 32-byte reference hash; {@code M_BAD_JSON} when the event has no canonical form. */
    public static byte[] compute(RoomVersion version, JsonObject event) {
        JsonObject redacted = Redaction.redact(version, event);
        JsonObject bare = Json.objectBuilder(redacted).remove("signatures").remove("unsigned").build();
        return ContentHash.sha256(CanonicalJson.encodeBytes(bare, version));
    }

    /** The reference hash in unpadded standard base64. */
    public static String base64(RoomVersion version, JsonObject event) {
        return UnpaddedBase64.encode(compute(version, event));
    }

    /** The reference hash in URL-safe unpadded base64. */
    public static String urlSafeBase64(RoomVersion version, JsonObject event) {
        return UnpaddedBase64.encodeUrlSafe(compute(version, event));
    }
}
