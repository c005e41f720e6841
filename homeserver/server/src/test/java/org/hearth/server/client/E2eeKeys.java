package org.hearth.server.client;

import static org.hearth.server.TestServer.json;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.json.Json;

/** A test client's end-to-end keys: a device's Ed25519 key signing what it uploads, and cross-signing keys. */
public final class E2eeKeys {
    public static final String V3 = "/_matrix/client/v3";
    private static final SecureRandom RANDOM = new SecureRandom();

    private E2eeKeys() {}

    /** The device's own key, {@code ed25519:<device_id>}. */
    public static SigningKey deviceKey(TestServer.User user) {
        return new SigningKey("ed25519:" + user.deviceId(), seed());
    }

    /** A cross-signing key, whose key ID is its public key. */
    public static SigningKey crossSigningKey() {
        byte[] seed = seed();
        String pub = new SigningKey("ed25519:x", seed).publicKeyBase64();
        return new SigningKey("ed25519:" + pub, seed);
    }

    public static String pub(SigningKey key) {
        return key.publicKeyBase64();
    }

    public static String randomKey() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return UnpaddedBase64.encode(b);
    }

    private static byte[] seed() {
        byte[] seed = new byte[SigningKey.SEED_LENGTH];
        RANDOM.nextBytes(seed);
        return seed;
    }

    public static JsonObject sign(JsonObject object, TestServer.User by, SigningKey key) {
        return Signatures.sign(object, by.userId(), key);
    }

    /** Signed DeviceKeys of the user's device. */
    public static JsonObject deviceKeys(TestServer.User user, SigningKey key) {
        return sign(json("user_id", user.userId(), "device_id", user.deviceId(),
                "algorithms", Json.arrayBuilder().add("m.olm.v1.curve25519-aes-sha2").add("m.megolm.v1.aes-sha2"),
                "keys", json("ed25519:" + user.deviceId(), key.publicKeyBase64(), "curve25519:" + user.deviceId(), randomKey())),
                user, key);
    }

    /** {@code count} signed_curve25519 one-time keys with IDs {@code prefix0..}. */
    public static JsonObject oneTimeKeys(TestServer.User user, SigningKey key, String prefix, int count) {
        var out = Json.objectBuilder();
        for (int i = 0; i < count; i++) {
            out.add("signed_curve25519:" + prefix + i, sign(json("key", randomKey()), user, key));
        }
        return out.build();
    }

    public static JsonObject fallbackKey(TestServer.User user, SigningKey key, String keyId) {
        return json("signed_curve25519:" + keyId, sign(json("key", randomKey(), "fallback", true), user, key));
    }

    public static JsonObject crossSigningKey(TestServer.User user, String usage, SigningKey key, SigningKey signer) {
        JsonObject bare = json("user_id", user.userId(), "usage", Json.arrayBuilder().add(usage),
                "keys", json(key.keyId(), key.publicKeyBase64()));
        return signer == null ? bare : sign(bare, user, signer);
    }

    public static TestServer.Response upload(TestServer.User user, JsonObject body) {
        return user.post(V3 + "/keys/upload", body);
    }

    public static JsonObject query(TestServer.User user, String... userIds) {
        var deviceKeys = Json.objectBuilder();
        for (String id : userIds) {
            deviceKeys.add(id, Json.arrayBuilder());
        }
        return user.post(V3 + "/keys/query", json("device_keys", deviceKeys)).assertStatus(200).json();
    }

    public static JsonObject claim(TestServer.User claimer, TestServer.User target, String algorithm) {
        return claimer.post(V3 + "/keys/claim", json("one_time_keys",
                json(target.userId(), json(target.deviceId(), algorithm)))).assertStatus(200).json();
    }

    public static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public static List<String> strings(jakarta.json.JsonArray array) {
        return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }
}
