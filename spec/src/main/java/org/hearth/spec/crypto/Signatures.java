package org.hearth.spec.crypto;

import com.google.crypto.tink.subtle.Ed25519Verify;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import java.security.GeneralSecurityException;
import java.util.Set;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/** Signing and verifying JSON objects (spec: appendices, "Signing JSON"). */
public final class Signatures {
    private Signatures() {}

    private static final int PUBLIC_KEY_LENGTH = 32;
    private static final int SIGNATURE_LENGTH = 64;

    /**
     * Returns {@code object} with this server's signature added to {@code signatures}; {@code unsigned} is kept
     * and other signatures stay. The signed bytes are the strict canonical JSON of the object without
     * {@code signatures} and {@code unsigned} (spec: "Signing Details"); {@code M_BAD_JSON} when the object has no
     * strict canonical form (floats, integers beyond 2^53-1).
     */
    public static JsonObject sign(JsonObject object, String serverName, SigningKey key) {
        return sign(object, serverName, key, true);
    }

    /** {@link #sign(JsonObject, String, SigningKey)} with the canonical JSON rules of {@code version} (lenient before v6). */
    public static JsonObject sign(JsonObject object, String serverName, SigningKey key, RoomVersion version) {
        return sign(object, serverName, key, version.strictCanonicalJson());
    }

    /** The bytes a signature covers: canonical JSON without {@code signatures} and {@code unsigned}. */
    public static byte[] signingBytes(JsonObject object, boolean strict) {
        JsonObject bare = object;
        if (object.containsKey("signatures") || object.containsKey("unsigned")) {
            bare = Json.objectBuilder(object).remove("signatures").remove("unsigned").build();
        }
        return strict ? CanonicalJson.encodeBytes(bare) : CanonicalJson.encodeLenientBytes(bare);
    }

    private static JsonObject sign(JsonObject object, String serverName, SigningKey key, boolean strict) {
        return signBytes(object, serverName, key, signingBytes(object, strict));
    }

    /**
     * {@link #sign(JsonObject, String, SigningKey, RoomVersion)} when the caller already has
     * {@code signingBytes}, which must be {@link #signingBytes} of {@code object} under the room version's rules.
     */
    public static JsonObject signBytes(JsonObject object, String serverName, SigningKey key, byte[] signingBytes) {
        String signature = UnpaddedBase64.encode(key.sign(signingBytes));
        JsonObjectBuilder all = Json.objectBuilder();
        if (object.get("signatures") instanceof JsonObject existing) {
            all = Json.objectBuilder(existing);
        }
        JsonObjectBuilder mine = Json.objectBuilder();
        if (object.get("signatures") instanceof JsonObject existing
                && existing.get(serverName) instanceof JsonObject ours) {
            mine = Json.objectBuilder(ours);
        }
        all.add(serverName, mine.add(key.keyId(), signature));
        return Json.objectBuilder(object).add("signatures", all).build();
    }

    /**
     * Whether {@code object} carries a valid signature by {@code serverName} with key {@code keyId}, checked
     * with the strict canonical form. Never throws for bad input: a missing entry, undecodable base64, a
     * signature or key of the wrong length, or an object without a canonical form all give {@code false}
     * (spec: "Checking for a Signature", steps 1-7).
     */
    public static boolean verify(JsonObject object, String serverName, String keyId, byte[] publicKey) {
        return verify(object, serverName, keyId, publicKey, true);
    }

    /** {@link #verify(JsonObject, String, String, byte[])} with the canonical JSON rules of {@code version}. */
    public static boolean verify(JsonObject object, String serverName, String keyId, byte[] publicKey,
                                 RoomVersion version) {
        return verify(object, serverName, keyId, publicKey, version.strictCanonicalJson());
    }

    private static boolean verify(JsonObject object, String serverName, String keyId, byte[] publicKey,
                                  boolean strict) {
        if (object == null || publicKey == null || publicKey.length != PUBLIC_KEY_LENGTH) {
            return false;
        }
        // Step 2: only key IDs of algorithms we understand count, and ed25519 is the only one.
        if (keyId == null || !keyId.startsWith(SigningKey.ALGORITHM + ":")) {
            return false;
        }
        if (!(object.get("signatures") instanceof JsonObject all)
                || !(all.get(serverName) instanceof JsonObject ours)
                || !(ours.get(keyId) instanceof JsonString encoded)) {
            return false;
        }
        byte[] signature;
        try {
            signature = UnpaddedBase64.decode(encoded.getString());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (signature.length != SIGNATURE_LENGTH) {
            return false;
        }
        byte[] message;
        try {
            message = signingBytes(object, strict);
        } catch (MatrixException noCanonicalForm) {
            return false;
        }
        try {
            new Ed25519Verify(publicKey).verify(signature, message);
            return true;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    /** The key IDs under which {@code serverName} signed {@code object}, in no particular order. */
    public static Set<String> keyIds(JsonObject object, String serverName) {
        if (object.get("signatures") instanceof JsonObject all && all.get(serverName) instanceof JsonObject ours) {
            return ours.keySet();
        }
        return Set.of();
    }
}
