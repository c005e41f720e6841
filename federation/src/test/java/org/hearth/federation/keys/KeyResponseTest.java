package org.hearth.federation.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.JsonObject;
import java.util.Map;
import java.util.stream.Collectors;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class KeyResponseTest {
    private static final SigningKey KEY = SigningKey.generate("current");
    private static final SigningKey OLD = SigningKey.generate("old");
    private static final long NOW = 1_700_000_000_000L;
    private static final long DAY = 24 * 3600 * 1000L;

    private static JsonObject answer(String server, long validUntil) {
        return Json.objectBuilder().add("server_name", server).add("valid_until_ts", validUntil)
                .add("verify_keys", Json.objectBuilder().add(KEY.keyId(), Json.objectBuilder().add("key", KEY.publicKeyBase64())))
                .add("old_verify_keys", Json.objectBuilder().add(OLD.keyId(), Json.objectBuilder()
                        .add("key", OLD.publicKeyBase64()).add("expired_ts", NOW - DAY)))
                .build();
    }

    @Test
    void keepsCurrentAndOldKeysWithTheirValidity() {
        JsonObject signed = Signatures.sign(answer("origin.example", NOW + DAY), "origin.example", KEY);
        // Someone else's signature (a notary's) is dropped from what is stored.
        JsonObject cosigned = Signatures.sign(signed, "notary.example", SigningKey.generate("n"));
        KeyResponse r = KeyResponse.verify(cosigned, "origin.example", NOW);
        Map<String, VerifyKey> keys = r.keys().stream().collect(Collectors.toMap(VerifyKey::keyId, k -> k));
        assertArrayEquals(KEY.publicKey(), keys.get(KEY.keyId()).publicKey());
        assertEquals(NOW + DAY, keys.get(KEY.keyId()).validUntilTs());
        assertEquals(NOW - DAY, keys.get(OLD.keyId()).validUntilTs());
        assertEquals(signed, r.originSigned());
    }

    @Test
    void validityIsCappedAtSevenDays() {
        JsonObject signed = Signatures.sign(answer("origin.example", NOW + 365 * DAY), "origin.example", KEY);
        KeyResponse r = KeyResponse.verify(signed, "origin.example", NOW);
        assertEquals(NOW + 7 * DAY, r.keys().stream().filter(k -> k.keyId().equals(KEY.keyId())).findFirst()
                .orElseThrow().validUntilTs());
    }

    @Test
    void refusesAnswersThatAreNotTheOriginsOwn() {
        JsonObject unsigned = answer("origin.example", NOW + DAY);
        assertThrows(KeyResponse.Invalid.class, () -> KeyResponse.verify(unsigned, "origin.example", NOW));
        JsonObject signed = Signatures.sign(unsigned, "origin.example", KEY);
        assertThrows(KeyResponse.Invalid.class, () -> KeyResponse.verify(signed, "other.example", NOW));
        // Signed by a key the answer does not list.
        JsonObject wrongKey = Signatures.sign(unsigned, "origin.example", SigningKey.generate("current"));
        assertThrows(KeyResponse.Invalid.class, () -> KeyResponse.verify(wrongKey, "origin.example", NOW));
        // Changed after signing.
        JsonObject tampered = Json.objectBuilder(signed).add("valid_until_ts", NOW + 2 * DAY).build();
        assertThrows(KeyResponse.Invalid.class, () -> KeyResponse.verify(tampered, "origin.example", NOW));
        JsonObject noValidity = Signatures.sign(Json.objectBuilder(unsigned).remove("valid_until_ts").build(),
                "origin.example", KEY);
        assertThrows(KeyResponse.Invalid.class, () -> KeyResponse.verify(noValidity, "origin.example", NOW));
        JsonObject badKey = Signatures.sign(Json.objectBuilder(unsigned).add("verify_keys", Json.objectBuilder()
                .add(KEY.keyId(), Json.objectBuilder().add("key", "dG9vc2hvcnQ"))).build(), "origin.example", KEY);
        assertThrows(KeyResponse.Invalid.class, () -> KeyResponse.verify(badKey, "origin.example", NOW));
    }
}
