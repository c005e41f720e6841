package org.hearth.spec.event;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * The content hash of an event (spec: server-server API, "Calculating the content hash for an event"):
 * SHA-256 of the canonical JSON of the event without {@code unsigned}, {@code signatures} and {@code hashes},
 * carried as {@code hashes.sha256} in unpadded standard base64.
 */
public final class ContentHash {
    private ContentHash() {}

    /** The content hash in unpadded standard base64; {@code M_BAD_JSON} when the event has no canonical form. */
    public static String compute(RoomVersion version, JsonObject event) {
        return UnpaddedBase64.encode(sha256(CanonicalJson.encodeBytes(
                Json.objectBuilder(event).remove("unsigned").remove("signatures").remove("hashes").build(), version)));
    }

    /** {@code event} with {@code hashes.sha256} set to its content hash (other hashes kept). */
    public static JsonObject add(RoomVersion version, JsonObject event) {
        String hash = compute(version, event);
        var hashes = event.get("hashes") instanceof JsonObject h ? Json.objectBuilder(h) : Json.objectBuilder();
        return Json.objectBuilder(event).add("hashes", hashes.add("sha256", hash)).build();
    }

    /**
     * Whether {@code hashes.sha256} matches the content; false when absent. A mismatch means the event must
     * be redacted before use (spec: server-server API, "Checks performed on receipt of a PDU", step 3).
     */
    public static boolean matches(RoomVersion version, JsonObject event) {
        if (!(event.get("hashes") instanceof JsonObject h) || !(h.get("sha256") instanceof JsonString s)) {
            return false;
        }
        try {
            return MessageDigest.isEqual(UnpaddedBase64.decode(s.getString()),
                    UnpaddedBase64.decode(compute(version, event)));
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
