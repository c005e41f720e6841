package org.hearth.core.keys;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/**
 * The shapes of uploaded keys (spec: "Key algorithms", definitions DeviceKeys, OneTimeKeys, CrossSigningKey) and
 * their signatures (appendices "Signing JSON"). Wrong types are {@code M_BAD_JSON} as Synapse answers them;
 * well-formed but unusable values {@code M_INVALID_PARAM}; a bad signature {@code M_INVALID_SIGNATURE}.
 */
final class KeyFormats {
    static final String ED25519 = "ed25519";
    // Column widths of V7 (the unique key must fit InnoDB's 3072 bytes).
    static final int MAX_ALGORITHM = 64;
    static final int MAX_KEY_ID = 128;
    private static final int ED25519_KEY_BYTES = 32;

    private KeyFormats() {}

    record KeyName(String algorithm, String keyId) {
        @Override
        public String toString() {
            return algorithm + ":" + keyId;
        }
    }

    /** DeviceKeys of {@code user}'s {@code deviceId}: required fields typed, IDs matching the requester. */
    static JsonObject deviceKeys(JsonValue value, UserId user, String deviceId) {
        JsonObject keys = object(value, "device_keys");
        String userId = string(keys.get("user_id"), "device_keys.user_id");
        String device = string(keys.get("device_id"), "device_keys.device_id");
        JsonArray algorithms = array(keys.get("algorithms"), "device_keys.algorithms");
        algorithms.forEach(a -> string(a, "device_keys.algorithms[]"));
        JsonObject identity = object(keys.get("keys"), "device_keys.keys");
        identity.forEach((name, key) -> string(key, "device_keys.keys." + name));
        signatures(keys.get("signatures"), "device_keys.signatures", true);
        if (keys.containsKey("unsigned") && !(keys.get("unsigned") instanceof JsonObject)) {
            throw badJson("device_keys.unsigned must be an object");
        }
        if (!userId.equals(user.value())) {
            throw badJson("Provided user_id in device_keys does not match that of the authenticated user");
        }
        if (!device.equals(deviceId)) {
            throw badJson("Provided device_id in device_keys does not match that of the authenticated device");
        }
        CanonicalJson.requireStrict(keys);
        return keys;
    }

    /** The device's own Ed25519 key ({@code ed25519:<device_id>}), which must sign its device keys. */
    static byte[] deviceSigningKey(JsonObject deviceKeys, String deviceId) {
        JsonValue key = deviceKeys.getJsonObject("keys").get(ED25519 + ":" + deviceId);
        if (key == null) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "device_keys.keys has no ed25519:" + deviceId + " key");
        }
        return publicKey(((JsonString) key).getString(), "device_keys.keys.ed25519:" + deviceId);
    }

    static byte[] publicKey(String base64, String what) {
        byte[] bytes;
        try {
            bytes = UnpaddedBase64.decode(base64);
        } catch (IllegalArgumentException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, what + " is not unpadded base64");
        }
        if (bytes.length != ED25519_KEY_BYTES) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, what + " is not a 32-byte key");
        }
        return bytes;
    }

    /** {@code M_INVALID_SIGNATURE} unless {@code signed} carries a valid signature of {@code user} by {@code keyId}. */
    static void requireSignature(JsonObject signed, UserId user, String keyId, byte[] publicKey, String what) {
        if (!Signatures.verify(signed, user.value(), keyId, publicKey)) {
            throw new MatrixException(ErrorCode.INVALID_SIGNATURE, "Invalid signature on " + what + " (by " + keyId + ")");
        }
    }

    /**
     * One-time or fallback keys: {@code <algorithm>:<key_id>} to a string or a KeyObject ({@code key},
     * {@code signatures}, optional {@code fallback}).
     */
    static Map<KeyName, JsonValue> keyMap(JsonValue value, String field) {
        JsonObject keys = object(value, field);
        Map<KeyName, JsonValue> out = new LinkedHashMap<>();
        keys.forEach((name, key) -> {
            String[] parts = name.split(":", -1);
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw badJson("Invalid " + field + " key " + name + ": expected <algorithm>:<key_id>");
            }
            if (parts[0].length() > MAX_ALGORITHM || parts[1].length() > MAX_KEY_ID) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, field + " key " + name + " is too long");
            }
            switch (key) {
                case JsonString s -> { }
                case JsonObject o -> {
                    string(o.get("key"), field + "." + name + ".key");
                    signatures(o.get("signatures"), field + "." + name + ".signatures", true);
                    JsonValue fallback = o.get("fallback");
                    if (fallback != null && fallback != JsonValue.TRUE && fallback != JsonValue.FALSE) {
                        throw badJson(field + "." + name + ".fallback must be a boolean");
                    }
                    CanonicalJson.requireStrict(o);
                }
                default -> throw badJson(field + "." + name + " must be a string or a key object");
            }
            out.put(new KeyName(parts[0], parts[1]), key);
        });
        return out;
    }

    /** Equal but for {@code signatures}: another upload of the same key may carry other signatures (as Synapse). */
    static boolean sameKey(JsonValue a, JsonValue b) {
        if (a instanceof JsonObject x && b instanceof JsonObject y) {
            return Json.objectBuilder(x).remove("signatures").build().equals(Json.objectBuilder(y).remove("signatures").build());
        }
        return a.equals(b);
    }

    /** The object without {@code signatures} and {@code unsigned}: what a signature covers. */
    static JsonObject unsignedPart(JsonObject o) {
        return Json.objectBuilder(o).remove("signatures").remove("unsigned").build();
    }

    /** A CrossSigningKey: its owner, its usage, exactly one {@code ed25519:<public key>} key. */
    record CrossSigningKey(JsonObject json, String keyId, String publicKeyBase64, byte[] publicKey) {}

    static CrossSigningKey crossSigningKey(JsonValue value, UserId user, String usage, String field) {
        JsonObject key = object(value, field);
        JsonValue owner = key.get("user_id");
        JsonValue usages = key.get("usage");
        JsonValue keys = key.get("keys");
        if (!(owner instanceof JsonString o) || !o.getString().equals(user.value())
                || !(usages instanceof JsonArray u) || !u.contains(Json.string(usage))
                || !(keys instanceof JsonObject k) || k.size() != 1) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid " + usage + " key");
        }
        if (key.containsKey("signatures")) {
            signatures(key.get("signatures"), field + ".signatures", false);
        }
        var entry = k.entrySet().iterator().next();
        if (!entry.getKey().startsWith(ED25519 + ":") || !(entry.getValue() instanceof JsonString pub)
                || !entry.getKey().substring(ED25519.length() + 1).equals(pub.getString())) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid " + usage + " key: keys must be {\"ed25519:<key>\": \"<key>\"}");
        }
        CanonicalJson.requireStrict(key);
        return new CrossSigningKey(key, entry.getKey(), pub.getString(), publicKey(pub.getString(), field));
    }

    static JsonObject object(JsonValue value, String what) {
        if (!(value instanceof JsonObject o)) {
            throw badJson(what + " must be an object");
        }
        return o;
    }

    private static JsonArray array(JsonValue value, String what) {
        if (!(value instanceof JsonArray a)) {
            throw badJson(what + " must be an array");
        }
        return a;
    }

    private static String string(JsonValue value, String what) {
        if (!(value instanceof JsonString s)) {
            throw badJson(what + " must be a string");
        }
        return s.getString();
    }

    /** Signatures: user ID → key ID → signature string. */
    private static void signatures(JsonValue value, String what, boolean required) {
        if (value == null && !required) {
            return;
        }
        JsonObject all = object(value, what);
        all.forEach((user, byKey) -> object(byKey, what + "." + user).forEach((keyId, sig) -> string(sig, what + "." + user + "." + keyId)));
    }

    private static MatrixException badJson(String message) {
        return new MatrixException(ErrorCode.BAD_JSON, message);
    }
}
