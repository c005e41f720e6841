package org.hearth.core.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class KeyFormatsTest {
    private static final UserId ALICE = UserId.parse("@alice:example.org");
    private static final SigningKey DEVICE = new SigningKey("ed25519:DEV", new byte[32]);

    private static JsonObject deviceKeys() {
        return Signatures.sign(Json.parseObject("{\"user_id\": \"@alice:example.org\", \"device_id\": \"DEV\", \"algorithms\": [\"m.olm.v1.curve25519-aes-sha2\"],"
                + " \"keys\": {\"ed25519:DEV\": \"" + DEVICE.publicKeyBase64() + "\"}}"), ALICE.value(), DEVICE);
    }

    private static ErrorCode code(Runnable r) {
        return assertThrows(MatrixException.class, r::run).code();
    }

    @Test
    void deviceKeysOfTheRequesterVerifyWithTheirOwnKey() {
        JsonObject keys = KeyFormats.deviceKeys(deviceKeys(), ALICE, "DEV");
        byte[] pub = KeyFormats.deviceSigningKey(keys, "DEV");
        assertArrayEquals(DEVICE.publicKey(), pub);
        KeyFormats.requireSignature(keys, ALICE, "ed25519:DEV", pub, "device_keys");
        JsonObject tampered = Json.objectBuilder(keys).add("algorithms", Json.arrayBuilder()).build();
        assertEquals(ErrorCode.INVALID_SIGNATURE, code(() -> KeyFormats.requireSignature(tampered, ALICE, "ed25519:DEV", pub, "x")));
    }

    @Test
    void deviceKeysOfSomeoneElseOrWronglyTypedAreBadJson() {
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.deviceKeys(deviceKeys(), UserId.parse("@bob:example.org"), "DEV")));
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.deviceKeys(deviceKeys(), ALICE, "OTHER")));
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.deviceKeys(Json.objectBuilder(deviceKeys())
                .add("signatures", Json.parseObject("{\"@alice:example.org\": 1}")).build(), ALICE, "DEV")));
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.deviceKeys(Json.objectBuilder(deviceKeys())
                .add("ts", Json.parse("1.5")).build(), ALICE, "DEV")));
    }

    @Test
    void keyNamesNeedExactlyOneColon() {
        assertEquals(2, KeyFormats.keyMap(Json.parseObject("{\"curve25519:A\": \"k\", \"signed_curve25519:B\": {\"key\": \"k\", \"signatures\": {}}}"),
                "one_time_keys").size());
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.keyMap(Json.parseObject("{\"a:b:c\": \"k\"}"), "one_time_keys")));
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.keyMap(Json.parseObject("{\":b\": \"k\"}"), "one_time_keys")));
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.keyMap(Json.parseObject("{\"a:b\": {\"key\": \"k\"}}"), "one_time_keys")));
        assertEquals(ErrorCode.INVALID_PARAM, code(() -> KeyFormats.keyMap(Json.parseObject("{\"a:" + "x".repeat(200) + "\": \"k\"}"), "one_time_keys")));
    }

    @Test
    void theSameKeyWithOtherSignaturesIsTheSameKey() {
        assertTrue(KeyFormats.sameKey(Json.parse("{\"key\": \"k\", \"signatures\": {\"a\": {}}}"), Json.parse("{\"key\": \"k\", \"signatures\": {}}")));
        assertFalse(KeyFormats.sameKey(Json.parse("{\"key\": \"k\"}"), Json.parse("{\"key\": \"l\"}")));
        assertFalse(KeyFormats.sameKey(Json.parse("\"k\""), Json.parse("{\"key\": \"k\"}")));
    }

    @Test
    void crossSigningKeysNameTheirOwnerUsageAndOnePublicKey() {
        String pub = DEVICE.publicKeyBase64();
        String good = "{\"user_id\": \"@alice:example.org\", \"usage\": [\"master\"], \"keys\": {\"ed25519:" + pub + "\": \"" + pub + "\"}}";
        assertEquals("ed25519:" + pub, KeyFormats.crossSigningKey(Json.parse(good), ALICE, "master", "master_key").keyId());
        assertEquals(ErrorCode.INVALID_PARAM, code(() -> KeyFormats.crossSigningKey(Json.parse(good), ALICE, "self_signing", "k")));
        assertEquals(ErrorCode.INVALID_PARAM, code(() -> KeyFormats.crossSigningKey(Json.parse(good),
                UserId.parse("@bob:example.org"), "master", "k")));
        assertEquals(ErrorCode.INVALID_PARAM, code(() -> KeyFormats.crossSigningKey(Json.parse(good.replace("\": \"" + pub, "\": \"other")),
                ALICE, "master", "k")));
        assertEquals(ErrorCode.BAD_JSON, code(() -> KeyFormats.crossSigningKey(Json.parse("[]"), ALICE, "master", "k")));
    }
}
