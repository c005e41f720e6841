package org.hearth.spec.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class CryptoTest {
    // Spec appendices, "Cryptographic Test Vectors", "Signing Key".
    private static final String SEED = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";
    private static final String PUBLIC = "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI";

    @Test
    void unpaddedBase64MatchesTheSpecExamples() {
        String[][] examples = {{"", ""}, {"f", "Zg"}, {"fo", "Zm8"}, {"foo", "Zm9v"}, {"foob", "Zm9vYg"},
                {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
        for (String[] e : examples) {
            assertEquals(e[1], UnpaddedBase64.encode(e[0].getBytes(StandardCharsets.US_ASCII)));
            assertEquals(e[0], new String(UnpaddedBase64.decode(e[1]), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void decodingToleratesPaddingAndRefusesGarbage() {
        assertArrayEquals("f".getBytes(StandardCharsets.US_ASCII), UnpaddedBase64.decode("Zg=="));
        assertThrows(IllegalArgumentException.class, () -> UnpaddedBase64.decode("Zm9v!"));
        assertThrows(IllegalArgumentException.class, () -> UnpaddedBase64.decode("Z"));
        assertThrows(IllegalArgumentException.class, () -> UnpaddedBase64.decode("-_"));
        assertThrows(IllegalArgumentException.class, () -> UnpaddedBase64.decodeUrlSafe("+/"));
    }

    @Test
    void urlSafeUsesMinusAndUnderscore() {
        byte[] bytes = {(byte) 0xFB, (byte) 0xFF};
        assertEquals("+/8", UnpaddedBase64.encode(bytes));
        assertEquals("-_8", UnpaddedBase64.encodeUrlSafe(bytes));
        assertArrayEquals(bytes, UnpaddedBase64.decodeUrlSafe("-_8"));
    }

    @Test
    void keyFromTheSpecSeedHasTheSpecPublicKey() {
        SigningKey key = new SigningKey("ed25519:1", UnpaddedBase64.decode(SEED));
        assertEquals(PUBLIC, key.publicKeyBase64());
        assertEquals("1", key.version());
    }

    @Test
    void generatedKeysSignAndVerify() {
        SigningKey key = SigningKey.generate("abc");
        assertEquals("ed25519:abc", key.keyId());
        JsonObject signed = Signatures.sign(Json.parseObject("{\"a\":1,\"unsigned\":{\"x\":1}}"), "hs.example", key);
        assertTrue(Signatures.verify(signed, "hs.example", "ed25519:abc", key.publicKey()));
        assertEquals(1, signed.getJsonObject("unsigned").getInt("x"));
        assertFalse(Signatures.verify(signed, "hs.example", "ed25519:abc", SigningKey.generate("abc").publicKey()));
        assertFalse(Signatures.verify(signed, "hs.example", "ed25519:abc", new byte[31]));
        JsonObject otherAlgorithm = Json.objectBuilder(signed).add("signatures", Json.objectBuilder().add("hs.example",
                Json.objectBuilder().add("curve:abc", signed.getJsonObject("signatures").getJsonObject("hs.example")
                        .getString("ed25519:abc")))).build();
        assertFalse(Signatures.verify(otherAlgorithm, "hs.example", "curve:abc", key.publicKey()));
    }

    @Test
    void signingKeepsOtherSignatures() {
        SigningKey a = SigningKey.generate("a");
        SigningKey b = SigningKey.generate("b");
        JsonObject once = Signatures.sign(Json.parseObject("{\"x\":1}"), "one.example", a);
        JsonObject twice = Signatures.sign(Signatures.sign(once, "one.example", b), "two.example", a);
        assertTrue(Signatures.verify(twice, "one.example", "ed25519:a", a.publicKey()));
        assertTrue(Signatures.verify(twice, "one.example", "ed25519:b", b.publicKey()));
        assertTrue(Signatures.verify(twice, "two.example", "ed25519:a", a.publicKey()));
    }

    @Test
    void verifyIsFalseForMalformedSignatureEntries() {
        byte[] pub = UnpaddedBase64.decode(PUBLIC);
        for (String json : new String[] {"{\"signatures\": 5}", "{\"signatures\": {\"domain\": []}}",
                "{\"signatures\": {\"domain\": {\"ed25519:1\": 7}}}", "{\"a\": 1.5, \"signatures\": {\"domain\":"
                + " {\"ed25519:1\": \"K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ\"}}}"}) {
            assertFalse(Signatures.verify(Json.parseObject(json), "domain", "ed25519:1", pub), json);
        }
    }

    @Test
    void keysCompareBySeedContentAndHideItInToString() {
        byte[] seed = UnpaddedBase64.decode(SEED);
        SigningKey a = new SigningKey("ed25519:1", seed);
        seed[0] ^= 1;
        SigningKey b = new SigningKey("ed25519:1", UnpaddedBase64.decode(SEED));
        assertEquals(a, b, "the constructor copied the seed");
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, new SigningKey("ed25519:2", UnpaddedBase64.decode(SEED)));
        assertFalse(a.toString().contains(SEED));
        a.seed()[0] ^= 1;
        assertEquals(a, b, "seed() returns a copy");
    }

    @Test
    void keysNeedAnEd25519IdAnd32ByteSeed() {
        assertThrows(IllegalArgumentException.class, () -> new SigningKey("rsa:1", new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> new SigningKey("ed25519:", new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> new SigningKey("ed25519:1", new byte[31]));
    }

    @Test
    void signingKeyFileRoundTripsSynapseFormat() {
        String file = "ed25519 a_hs1 " + SEED + "\n\ned25519 old\t" + UnpaddedBase64.encode(new byte[32]) + "\n";
        List<SigningKey> keys = SigningKeyFile.read(file);
        assertEquals(2, keys.size());
        assertEquals("ed25519:a_hs1", keys.get(0).keyId());
        assertEquals(PUBLIC, keys.get(0).publicKeyBase64());
        // The spec's seed has non-zero padding bits; written back it is in its canonical spelling.
        String canonicalSeed = UnpaddedBase64.encode(UnpaddedBase64.decode(SEED));
        assertEquals("ed25519 a_hs1 " + canonicalSeed + "\ned25519 old " + UnpaddedBase64.encode(new byte[32]) + "\n",
                SigningKeyFile.write(keys));
        assertEquals(keys, SigningKeyFile.read(SigningKeyFile.write(keys)));
    }

    @Test
    void signingKeyFileRefusesMalformedLines() {
        assertThrows(IllegalArgumentException.class, () -> SigningKeyFile.read("ed25519 1"));
        assertThrows(IllegalArgumentException.class, () -> SigningKeyFile.read("rsa 1 " + SEED));
        assertThrows(IllegalArgumentException.class, () -> SigningKeyFile.read("ed25519 1 Zm9v"));
        assertThrows(IllegalArgumentException.class, () -> SigningKeyFile.read("ed25519 1 !!!"));
    }
}
