package org.hearth.federation.keys;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.json.Json;

/**
 * A server's key answer ({@code /_matrix/key/v2/server}, or one entry of a notary's {@code server_keys}) checked:
 * it names the expected server, is signed by that server with a key it lists (every such signature must verify,
 * as Synapse requires), and its keys are well-formed.
 *
 * @param originSigned the answer with only the origin's own signature: what we store and serve as a notary
 */
record KeyResponse(String serverName, long validUntilTs, List<VerifyKey> keys, JsonObject originSigned) {
    // Spec (keys.yaml, valid_until_ts): "use the lesser of this field and 7 days into the future".
    static final Duration MAX_VALIDITY = Duration.ofDays(7);

    static final class Invalid extends RuntimeException {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static KeyResponse verify(JsonObject json, String expectedServer, long now) {
        if (!(json.get("server_name") instanceof JsonString name) || !name.getString().equals(expectedServer)) {
            throw new Invalid("server_name is not " + expectedServer);
        }
        if (!(json.get("valid_until_ts") instanceof JsonNumber until) || !until.isIntegral()) {
            throw new Invalid("valid_until_ts missing or not an integer");
        }
        long validUntil = until.longValue();
        if (!(json.get("verify_keys") instanceof JsonObject verifyKeys)) {
            throw new Invalid("verify_keys missing");
        }
        long capped = Math.min(validUntil, now + MAX_VALIDITY.toMillis());
        List<VerifyKey> keys = new ArrayList<>();
        for (Map.Entry<String, JsonValue> e : verifyKeys.entrySet()) {
            byte[] key = publicKey(e.getKey(), e.getValue());
            if (key != null) {
                keys.add(new VerifyKey(expectedServer, e.getKey(), key, capped));
            }
        }
        if (keys.isEmpty()) {
            throw new Invalid("no ed25519 key in verify_keys");
        }
        boolean signed = false;
        for (String keyId : Signatures.keyIds(json, expectedServer)) {
            VerifyKey k = keys.stream().filter(v -> v.keyId().equals(keyId)).findFirst().orElse(null);
            if (k == null) {
                continue;
            }
            if (!Signatures.verify(json, expectedServer, keyId, k.publicKey())) {
                throw new Invalid("signature " + keyId + " of " + expectedServer + " does not verify");
            }
            signed = true;
        }
        if (!signed) {
            throw new Invalid("not signed by " + expectedServer + " with a key it lists");
        }
        if (json.get("old_verify_keys") instanceof JsonObject old) {
            for (Map.Entry<String, JsonValue> e : old.entrySet()) {
                byte[] key = publicKey(e.getKey(), e.getValue());
                if (key != null && e.getValue() instanceof JsonObject o && o.get("expired_ts") instanceof JsonNumber expired
                        && expired.isIntegral() && verifyKeys.get(e.getKey()) == null) {
                    keys.add(new VerifyKey(expectedServer, e.getKey(), key, expired.longValue()));
                }
            }
        }
        JsonObject ownSignatures = json.getJsonObject("signatures").getJsonObject(expectedServer);
        JsonObject originSigned = Json.objectBuilder(json)
                .add("signatures", Json.objectBuilder().add(expectedServer, ownSignatures)).build();
        return new KeyResponse(expectedServer, validUntil, List.copyOf(keys), originSigned);
    }

    // The 32-byte key of an ed25519 entry; null for other algorithms or malformed entries.
    private static byte[] publicKey(String keyId, JsonValue entry) {
        if (!keyId.startsWith(SigningKey.ALGORITHM + ":") || !(entry instanceof JsonObject o)
                || !(o.get("key") instanceof JsonString k)) {
            return null;
        }
        try {
            byte[] key = UnpaddedBase64.decode(k.getString());
            return key.length == 32 ? key : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
