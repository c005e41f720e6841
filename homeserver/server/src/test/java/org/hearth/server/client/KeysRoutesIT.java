package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.hearth.server.client.E2eeKeys.V3;
import static org.hearth.server.client.E2eeKeys.claim;
import static org.hearth.server.client.E2eeKeys.deviceKey;
import static org.hearth.server.client.E2eeKeys.deviceKeys;
import static org.hearth.server.client.E2eeKeys.fallbackKey;
import static org.hearth.server.client.E2eeKeys.oneTimeKeys;
import static org.hearth.server.client.E2eeKeys.query;
import static org.hearth.server.client.E2eeKeys.randomKey;
import static org.hearth.server.client.E2eeKeys.sign;
import static org.hearth.server.client.E2eeKeys.strings;
import static org.hearth.server.client.E2eeKeys.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /keys/upload, /keys/query, /keys/claim over real HTTP: the rules of "Key management API". */
class KeysRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();

    private static TestServer.User newUser() {
        return server.register("k" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static JsonObject devicesOf(JsonObject query, TestServer.User user) {
        return query.getJsonObject("device_keys").getJsonObject(user.userId());
    }

    @Test
    void uploadedKeysAreQueriedAndClaimedOnce() {
        var alice = newUser();
        var bob = newUser();
        SigningKey key = deviceKey(alice);
        JsonObject dk = deviceKeys(alice, key);
        var counts = upload(alice, json("device_keys", dk, "one_time_keys", oneTimeKeys(alice, key, "A", 3)))
                .assertStatus(200).json().getJsonObject("one_time_key_counts");
        assertEquals(3, counts.getInt("signed_curve25519"));
        alice.put(V3 + "/devices/" + alice.deviceId(), json("display_name", "Alice's phone")).assertStatus(200);

        JsonObject q = query(bob, alice.userId());
        JsonObject device = devicesOf(q, alice).getJsonObject(alice.deviceId());
        assertEquals(dk.getJsonObject("keys"), device.getJsonObject("keys"));
        assertEquals(dk.getJsonObject("signatures"), device.getJsonObject("signatures"));
        assertEquals("Alice's phone", device.getJsonObject("unsigned").getString("device_display_name"));
        assertEquals(json(), q.getJsonObject("failures"));
        // Naming the device works too; an unknown device is just absent.
        var one = bob.post(V3 + "/keys/query", json("device_keys", json(alice.userId(), Json.arrayBuilder().add("NOPE"))))
                .assertStatus(200).json();
        assertEquals(json(), devicesOf(one, alice));

        Set<String> claimed = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            JsonObject keys = claim(bob, alice, "signed_curve25519").getJsonObject("one_time_keys")
                    .getJsonObject(alice.userId()).getJsonObject(alice.deviceId());
            assertEquals(1, keys.size());
            String keyId = keys.keySet().iterator().next();
            assertTrue(keyId.startsWith("signed_curve25519:A"));
            assertTrue(claimed.add(keyId), "claimed twice: " + keyId);
        }
        // None left and no fallback key: the device is absent from the answer.
        assertEquals(json(), claim(bob, alice, "signed_curve25519").getJsonObject("one_time_keys"));
        assertEquals(0, upload(alice, json()).assertStatus(200).json().getJsonObject("one_time_key_counts").getInt("signed_curve25519"));
    }

    @Test
    void identicalReuploadIsAcceptedButDifferentDeviceKeysAreRefused() {
        var alice = newUser();
        SigningKey key = deviceKey(alice);
        JsonObject dk = deviceKeys(alice, key);
        upload(alice, json("device_keys", dk)).assertStatus(200);
        upload(alice, json("device_keys", dk)).assertStatus(200);
        SigningKey other = deviceKey(alice);
        upload(alice, json("device_keys", deviceKeys(alice, other), "one_time_keys", oneTimeKeys(alice, other, "B", 2)))
                .assertError(400, "M_INVALID_PARAM");
        JsonObject stored = devicesOf(query(alice, alice.userId()), alice).getJsonObject(alice.deviceId());
        assertEquals(dk.getJsonObject("keys"), stored.getJsonObject("keys"));
        assertEquals(0, upload(alice, json()).json().getJsonObject("one_time_key_counts").getInt("signed_curve25519"));
    }

    @Test
    void badDeviceKeysAreRefusedAndNothingIsStored() {
        var alice = newUser();
        var bob = newUser();
        SigningKey key = deviceKey(alice);
        JsonObject good = deviceKeys(alice, key);
        // Signed by another key than the one it publishes.
        upload(alice, json("device_keys", sign(Json.objectBuilder(good).remove("signatures").build(), alice, deviceKey(alice)),
                "one_time_keys", oneTimeKeys(alice, key, "C", 1))).assertError(400, "M_INVALID_SIGNATURE");
        // Changed after signing.
        upload(alice, json("device_keys", Json.objectBuilder(good).add("algorithms", Json.arrayBuilder().add("x")).build()))
                .assertError(400, "M_INVALID_SIGNATURE");
        // Not signed at all.
        upload(alice, json("device_keys", Json.objectBuilder(good).add("signatures", json()).build()))
                .assertError(400, "M_INVALID_SIGNATURE");
        // Another user's or another device's keys.
        upload(alice, json("device_keys", Json.objectBuilder(good).add("user_id", bob.userId()).build())).assertError(400, "M_BAD_JSON");
        upload(alice, json("device_keys", Json.objectBuilder(good).add("device_id", "OTHER").build())).assertError(400, "M_BAD_JSON");
        // Wrong types and missing fields.
        upload(alice, json("device_keys", "nope")).assertError(400, "M_BAD_JSON");
        upload(alice, json("device_keys", Json.objectBuilder(good).remove("algorithms").build())).assertError(400, "M_BAD_JSON");
        upload(alice, json("device_keys", Json.objectBuilder(good).add("keys", json("ed25519:" + alice.deviceId(), 5)).build()))
                .assertError(400, "M_BAD_JSON");
        // No Ed25519 key of the device, or not a 32-byte key.
        upload(alice, json("device_keys", sign(json("user_id", alice.userId(), "device_id", alice.deviceId(),
                "algorithms", Json.arrayBuilder(), "keys", json("curve25519:" + alice.deviceId(), randomKey())), alice, key)))
                .assertError(400, "M_INVALID_PARAM");
        upload(alice, json("device_keys", sign(json("user_id", alice.userId(), "device_id", alice.deviceId(),
                "algorithms", Json.arrayBuilder(), "keys", json("ed25519:" + alice.deviceId(), "c2hvcnQ")), alice, key)))
                .assertError(400, "M_INVALID_PARAM");
        // Malformed one-time keys.
        upload(alice, json("one_time_keys", json("nocolon", "abc"))).assertError(400, "M_BAD_JSON");
        upload(alice, json("one_time_keys", json("a:b:c", "abc"))).assertError(400, "M_BAD_JSON");
        upload(alice, json("one_time_keys", json("signed_curve25519:X", json("key", 1)))).assertError(400, "M_BAD_JSON");
        upload(alice, json("one_time_keys", json("signed_curve25519:X", 7))).assertError(400, "M_BAD_JSON");
        upload(alice, json("one_time_keys", "x")).assertError(400, "M_BAD_JSON");
        assertEquals(json(), devicesOf(query(bob, alice.userId()), alice));
        assertEquals(0, upload(alice, json()).json().getJsonObject("one_time_key_counts").getInt("signed_curve25519"));
    }

    @Test
    void oneTimeKeysMustBeSignedByTheDeviceAndKeepTheirContent() {
        var alice = newUser();
        SigningKey key = deviceKey(alice);
        upload(alice, json("device_keys", deviceKeys(alice, key))).assertStatus(200);
        // Signed by some other key.
        upload(alice, json("one_time_keys", oneTimeKeys(alice, deviceKey(alice), "D", 1))).assertError(400, "M_INVALID_SIGNATURE");
        JsonObject first = oneTimeKeys(alice, key, "E", 2);
        upload(alice, json("one_time_keys", first)).assertStatus(200);
        // The same keys again (a retried request) are fine and not counted twice.
        var again = upload(alice, json("one_time_keys", first)).assertStatus(200).json();
        assertEquals(2, again.getJsonObject("one_time_key_counts").getInt("signed_curve25519"));
        // Same key ID, other key: refused, and the new key beside it is not stored either.
        var conflicting = Json.objectBuilder(oneTimeKeys(alice, key, "E", 1)).addAll(Json.objectBuilder(oneTimeKeys(alice, key, "F", 1))).build();
        upload(alice, json("one_time_keys", conflicting)).assertError(400, "M_INVALID_PARAM");
        assertEquals(2, upload(alice, json()).json().getJsonObject("one_time_key_counts").getInt("signed_curve25519"));
    }

    @Test
    void fallbackKeyIsGivenWhenOneTimeKeysRunOutAndReportedUsedInSync() {
        var alice = newUser();
        var bob = newUser();
        SigningKey key = deviceKey(alice);
        upload(alice, json("device_keys", deviceKeys(alice, key), "one_time_keys", oneTimeKeys(alice, key, "G", 1),
                "fallback_keys", fallbackKey(alice, key, "FB1"))).assertStatus(200);
        var sync = alice.get(V3 + "/sync").assertStatus(200).json();
        assertEquals(List.of("signed_curve25519"), strings(sync.getJsonArray("device_unused_fallback_key_types")));
        assertEquals(1, sync.getJsonObject("device_one_time_keys_count").getInt("signed_curve25519"));

        assertTrue(deviceKeysOf(claim(bob, alice, "signed_curve25519"), alice).containsKey("signed_curve25519:G0"));
        JsonObject fallback = deviceKeysOf(claim(bob, alice, "signed_curve25519"), alice);
        assertTrue(fallback.getJsonObject("signed_curve25519:FB1").getBoolean("fallback"));
        // Not consumed: handed out again.
        assertTrue(deviceKeysOf(claim(bob, alice, "signed_curve25519"), alice).containsKey("signed_curve25519:FB1"));
        sync = alice.get(V3 + "/sync").assertStatus(200).json();
        assertEquals(List.of(), strings(sync.getJsonArray("device_unused_fallback_key_types")));
        assertEquals(0, sync.getJsonObject("device_one_time_keys_count").getInt("signed_curve25519"));

        // A new fallback key replaces the used one; two of one algorithm at once are refused.
        var two = Json.objectBuilder(fallbackKey(alice, key, "FB2")).addAll(Json.objectBuilder(fallbackKey(alice, key, "FB3"))).build();
        upload(alice, json("fallback_keys", two)).assertError(400, "M_INVALID_PARAM");
        upload(alice, json("fallback_keys", fallbackKey(alice, key, "FB2"))).assertStatus(200);
        sync = alice.get(V3 + "/sync").assertStatus(200).json();
        assertEquals(List.of("signed_curve25519"), strings(sync.getJsonArray("device_unused_fallback_key_types")));
        assertTrue(deviceKeysOf(claim(bob, alice, "signed_curve25519"), alice).containsKey("signed_curve25519:FB2"));
    }

    @Test
    void syncAlwaysCarriesTheKeyCountFields() {
        var alice = newUser();
        var sync = alice.get(V3 + "/sync").assertStatus(200).json();
        assertEquals(json("signed_curve25519", 0), sync.getJsonObject("device_one_time_keys_count"));
        assertEquals(List.of(), strings(sync.getJsonArray("device_unused_fallback_key_types")));
    }

    private static JsonObject deviceKeysOf(JsonObject claim, TestServer.User user) {
        return claim.getJsonObject("one_time_keys").getJsonObject(user.userId()).getJsonObject(user.deviceId());
    }

    @Test
    void concurrentClaimsNeverGetTheSameKey() throws Exception {
        var alice = newUser();
        SigningKey key = deviceKey(alice);
        upload(alice, json("device_keys", deviceKeys(alice, key), "one_time_keys", oneTimeKeys(alice, key, "H", 10),
                "fallback_keys", fallbackKey(alice, key, "FBH"))).assertStatus(200);
        List<TestServer.User> claimers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            claimers.add(newUser());
        }
        int parallel = 20;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        long began;
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            for (int i = 0; i < parallel; i++) {
                TestServer.User claimer = claimers.get(i % claimers.size());
                Callable<String> task = () -> {
                    start.await();
                    return deviceKeysOf(claim(claimer, alice, "signed_curve25519"), alice).keySet().iterator().next();
                };
                results.add(pool.submit(task));
            }
            began = System.nanoTime();
            start.countDown();
        }
        long tookMs = (System.nanoTime() - began) / 1_000_000;
        List<String> keyIds = new ArrayList<>();
        for (Future<String> f : results) {
            keyIds.add(f.get());
        }
        List<String> oneTime = keyIds.stream().filter(k -> !k.endsWith("FBH")).toList();
        assertEquals(10, oneTime.size(), keyIds.toString());
        assertEquals(10, new HashSet<>(oneTime).size(), "a one-time key was given twice: " + keyIds);
        assertEquals(10, keyIds.stream().filter(k -> k.endsWith("FBH")).count());
        System.out.println("20 parallel /keys/claim for 10 one-time keys answered in " + tookMs + " ms");

        // The batch a client uploads at once (matrix-rust-sdk tops up to 50).
        for (int round = 0; round < 3; round++) {
            JsonObject fifty = oneTimeKeys(alice, key, "J" + round + "_", 50);
            long uploadStart = System.nanoTime();
            upload(alice, json("one_time_keys", fifty)).assertStatus(200);
            System.out.println("/keys/upload of 50 signed one-time keys took " + (System.nanoTime() - uploadStart) / 1_000_000 + " ms");
        }
    }

    @Test
    void remoteUsersAreReportedAsFailuresAndUnknownOnesLeftOut() {
        var alice = newUser();
        var q = alice.post(V3 + "/keys/query", json("device_keys", json("@bob:remote.example", Json.arrayBuilder(),
                "not a user id", Json.arrayBuilder(), "@nobody:" + server.serverName(), Json.arrayBuilder()))).assertStatus(200).json();
        assertEquals(503, q.getJsonObject("failures").getJsonObject("remote.example").getInt("status"));
        assertNull(q.getJsonObject("device_keys").get("@bob:remote.example"));
        assertEquals(json(), q.getJsonObject("device_keys").getJsonObject("@nobody:" + server.serverName()));
        for (String section : List.of("master_keys", "self_signing_keys", "user_signing_keys")) {
            assertNotNull(q.getJsonObject(section), section);
        }
        var c = alice.post(V3 + "/keys/claim", json("one_time_keys", json("@bob:remote.example", json("DEV", "signed_curve25519"),
                "@nobody:" + server.serverName(), json("DEV", "signed_curve25519"),
                alice.userId(), json("NODEVICE", "signed_curve25519")))).assertStatus(200).json();
        assertTrue(c.getJsonObject("failures").containsKey("remote.example"));
        assertEquals(json(), c.getJsonObject("one_time_keys"));
    }

    @Test
    void malformedQueriesAndClaimsAreBadJson() {
        var alice = newUser();
        alice.post(V3 + "/keys/query", json()).assertError(400, "M_BAD_JSON");
        alice.post(V3 + "/keys/query", json("device_keys", json(alice.userId(), "DEV"))).assertError(400, "M_BAD_JSON");
        alice.post(V3 + "/keys/query", json("device_keys", json(alice.userId(), Json.arrayBuilder().add(1)))).assertError(400, "M_BAD_JSON");
        alice.post(V3 + "/keys/query", json("device_keys", json(), "timeout", "soon")).assertError(400, "M_BAD_JSON");
        alice.post(V3 + "/keys/claim", json()).assertError(400, "M_BAD_JSON");
        alice.post(V3 + "/keys/claim", json("one_time_keys", json(alice.userId(), "x"))).assertError(400, "M_BAD_JSON");
        alice.post(V3 + "/keys/claim", json("one_time_keys", json(alice.userId(), json("DEV", 3)))).assertError(400, "M_BAD_JSON");
        server.client("POST", V3 + "/keys/upload").assertError(401, "M_MISSING_TOKEN");
        alice.get(V3 + "/keys/upload").assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void deletingOrLoggingOutADeviceDeletesItsKeys() {
        var alice = newUser();
        var bob = newUser();
        var phone = server.login(alice.localpart(), TestServer.DEFAULT_PASSWORD);
        for (TestServer.User device : List.of(alice, phone)) {
            SigningKey key = deviceKey(device);
            upload(device, json("device_keys", deviceKeys(device, key), "one_time_keys", oneTimeKeys(device, key, "I", 2),
                    "fallback_keys", fallbackKey(device, key, "FBI"))).assertStatus(200);
        }
        assertEquals(Set.of(alice.deviceId(), phone.deviceId()), devicesOf(query(bob, alice.userId()), alice).keySet());

        phone.post(V3 + "/logout", json()).assertStatus(200);
        assertEquals(Set.of(alice.deviceId()), devicesOf(query(bob, alice.userId()), alice).keySet());
        assertEquals(json(), claim(bob, phone, "signed_curve25519").getJsonObject("one_time_keys"));

        var laptop = server.login(alice.localpart(), TestServer.DEFAULT_PASSWORD);
        laptop.post(V3 + "/delete_devices", json("devices", Json.arrayBuilder().add(alice.deviceId()), "auth", json(
                "type", "m.login.password", "session", laptop.post(V3 + "/delete_devices",
                        json("devices", Json.arrayBuilder().add(alice.deviceId()))).json().getString("session"),
                "identifier", json("type", "m.id.user", "user", alice.localpart()),
                "password", TestServer.DEFAULT_PASSWORD))).assertStatus(200);
        assertEquals(json(), devicesOf(query(bob, alice.userId()), alice));
        assertEquals(json(), claim(bob, alice, "signed_curve25519").getJsonObject("one_time_keys"));
    }
}
