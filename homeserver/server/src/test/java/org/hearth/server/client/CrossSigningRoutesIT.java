package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.hearth.server.client.E2eeKeys.V3;
import static org.hearth.server.client.E2eeKeys.crossSigningKey;
import static org.hearth.server.client.E2eeKeys.deviceKey;
import static org.hearth.server.client.E2eeKeys.deviceKeys;
import static org.hearth.server.client.E2eeKeys.pub;
import static org.hearth.server.client.E2eeKeys.query;
import static org.hearth.server.client.E2eeKeys.sign;
import static org.hearth.server.client.E2eeKeys.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /keys/device_signing/upload and /keys/signatures/upload over real HTTP (spec: "Cross-signing"). */
class CrossSigningRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();
    private static final String UPLOAD = V3 + "/keys/device_signing/upload";
    private static final String SIGNATURES = V3 + "/keys/signatures/upload";

    private static TestServer.User newUser() {
        return server.register("c" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    /** A user's three cross-signing keys, uploaded. */
    record Identity(SigningKey master, SigningKey selfSigning, SigningKey userSigning, JsonObject body) {}

    private static Identity identity(TestServer.User user) {
        SigningKey master = crossSigningKey();
        SigningKey ssk = crossSigningKey();
        SigningKey usk = crossSigningKey();
        JsonObject body = json("master_key", E2eeKeys.crossSigningKey(user, "master", master, null),
                "self_signing_key", E2eeKeys.crossSigningKey(user, "self_signing", ssk, master),
                "user_signing_key", E2eeKeys.crossSigningKey(user, "user_signing", usk, master));
        return new Identity(master, ssk, usk, body);
    }

    private static Identity setUp(TestServer.User user) {
        Identity id = identity(user);
        user.post(UPLOAD, id.body()).assertStatus(200);
        return id;
    }

    private static JsonObject password(TestServer.User user, String session, String password) {
        return json("type", "m.login.password", "session", session,
                "identifier", json("type", "m.id.user", "user", user.localpart()), "password", password);
    }

    @Test
    void firstUploadNeedsNoAuthAndOthersSeeMasterAndSelfSigningKeysOnly() {
        var alice = newUser();
        var bob = newUser();
        Identity id = setUp(alice);
        // The same keys again (a lost response retried) need no authentication either.
        alice.post(UPLOAD, id.body()).assertStatus(200);

        JsonObject seenByBob = query(bob, alice.userId());
        assertEquals(id.body().getJsonObject("master_key"), seenByBob.getJsonObject("master_keys").getJsonObject(alice.userId()));
        assertEquals(id.body().getJsonObject("self_signing_key"), seenByBob.getJsonObject("self_signing_keys").getJsonObject(alice.userId()));
        assertNull(seenByBob.getJsonObject("user_signing_keys").get(alice.userId()));
        JsonObject seenByAlice = query(alice, alice.userId());
        assertEquals(id.body().getJsonObject("user_signing_key"), seenByAlice.getJsonObject("user_signing_keys").getJsonObject(alice.userId()));
    }

    @Test
    void replacingKeysNeedsUserInteractiveAuth() {
        var alice = newUser();
        setUp(alice);
        Identity replacement = identity(alice);
        var challenge = alice.post(UPLOAD, replacement.body()).assertStatus(401).json();
        assertEquals("m.login.password", challenge.getJsonArray("flows").getJsonObject(0).getJsonArray("stages").getString(0));
        String session = challenge.getString("session");
        var wrong = alice.post(UPLOAD, Json.objectBuilder(replacement.body())
                .add("auth", password(alice, session, "wrong password")).build()).assertStatus(401).json();
        assertEquals("M_FORBIDDEN", wrong.getString("errcode"));
        assertFalse(pub(replacement.master()).equals(masterOf(alice, alice)));
        alice.post(UPLOAD, Json.objectBuilder(replacement.body())
                .add("auth", password(alice, session, TestServer.DEFAULT_PASSWORD)).build()).assertStatus(200);
        assertEquals("ed25519:" + pub(replacement.master()), masterOf(alice, alice));
    }

    private static String masterOf(TestServer.User viewer, TestServer.User owner) {
        JsonObject master = query(viewer, owner.userId()).getJsonObject("master_keys").getJsonObject(owner.userId());
        return master == null ? null : master.getJsonObject("keys").keySet().iterator().next();
    }

    @Test
    void invalidCrossSigningKeysAreRefusedAndNothingIsStored() {
        var alice = newUser();
        var bob = newUser();
        Identity id = identity(alice);
        JsonObject master = id.body().getJsonObject("master_key");
        // Self-signing key signed by some other key than the master key.
        alice.post(UPLOAD, json("master_key", master, "self_signing_key",
                E2eeKeys.crossSigningKey(alice, "self_signing", id.selfSigning(), crossSigningKey()))).assertError(400, "M_INVALID_SIGNATURE");
        // Another user's key, the wrong usage, two public keys, a key ID that is not its key.
        alice.post(UPLOAD, json("master_key", E2eeKeys.crossSigningKey(bob, "master", id.master(), null))).assertError(400, "M_INVALID_PARAM");
        alice.post(UPLOAD, json("master_key", E2eeKeys.crossSigningKey(alice, "self_signing", id.master(), null))).assertError(400, "M_INVALID_PARAM");
        alice.post(UPLOAD, json("master_key", Json.objectBuilder(master).add("keys", json(id.master().keyId(), pub(id.master()),
                "ed25519:other", "other")).build())).assertError(400, "M_INVALID_PARAM");
        alice.post(UPLOAD, json("master_key", Json.objectBuilder(master).add("keys", json(id.master().keyId(), E2eeKeys.randomKey())).build()))
                .assertError(400, "M_INVALID_PARAM");
        alice.post(UPLOAD, json("master_key", "nope")).assertError(400, "M_BAD_JSON");
        // Without any master key the others cannot be checked.
        alice.post(UPLOAD, json("self_signing_key", id.body().getJsonObject("self_signing_key"))).assertError(400, "M_MISSING_PARAM");
        assertNull(masterOf(bob, alice));
        assertNull(query(bob, alice.userId()).getJsonObject("self_signing_keys").get(alice.userId()));
    }

    @Test
    void aCrossSigningKeyMayNotBeADeviceId() {
        var alice = newUser();
        SigningKey master = crossSigningKey();
        server.client("POST", V3 + "/login", HttpRequest.BodyPublishers.ofString(json("type", "m.login.password",
                "identifier", json("type", "m.id.user", "user", alice.localpart()), "password", TestServer.DEFAULT_PASSWORD,
                "device_id", pub(master)).toString()), "Content-Type", "application/json").assertStatus(200);
        alice.post(UPLOAD, json("master_key", E2eeKeys.crossSigningKey(alice, "master", master, null))).assertError(403, "M_FORBIDDEN");
        assertNull(masterOf(alice, alice));
    }

    @Test
    void ownDevicesSignedBySelfSigningKeyAndMasterSignedByDeviceAreVisibleToOthers() {
        var alice = newUser();
        var bob = newUser();
        SigningKey device = deviceKey(alice);
        JsonObject dk = deviceKeys(alice, device);
        upload(alice, json("device_keys", dk)).assertStatus(200);
        Identity id = setUp(alice);
        JsonObject master = id.body().getJsonObject("master_key");
        var answer = alice.post(SIGNATURES, json(alice.userId(), json(
                alice.deviceId(), sign(dk, alice, id.selfSigning()),
                pub(id.master()), sign(master, alice, device)))).assertStatus(200).json();
        assertEquals(json(), answer.getJsonObject("failures"));

        JsonObject seen = query(bob, alice.userId());
        JsonObject sigs = seen.getJsonObject("device_keys").getJsonObject(alice.userId()).getJsonObject(alice.deviceId())
                .getJsonObject("signatures").getJsonObject(alice.userId());
        assertTrue(sigs.containsKey(id.selfSigning().keyId()), sigs.toString());
        assertTrue(sigs.containsKey(device.keyId()));
        JsonObject masterSigs = seen.getJsonObject("master_keys").getJsonObject(alice.userId()).getJsonObject("signatures")
                .getJsonObject(alice.userId());
        assertTrue(masterSigs.containsKey(device.keyId()), masterSigs.toString());
    }

    @Test
    void badSignaturesAreReportedPerKeyAndTheGoodOnesStored() {
        var alice = newUser();
        var bob = newUser();
        SigningKey device = deviceKey(alice);
        JsonObject dk = deviceKeys(alice, device);
        upload(alice, json("device_keys", dk)).assertStatus(200);
        Identity id = setUp(alice);
        // Claims the self-signing key's ID but is signed by another key.
        JsonObject wrongKey = sign(dk, alice, new SigningKey(id.selfSigning().keyId(), crossSigningKey().seed()));
        JsonObject altered = sign(Json.objectBuilder(dk).add("algorithms", Json.arrayBuilder().add("x")).build(), alice, id.selfSigning());
        var answer = alice.post(SIGNATURES, json(alice.userId(), json(alice.deviceId(), wrongKey, "NODEVICE",
                sign(Json.objectBuilder(dk).add("device_id", "NODEVICE").build(), alice, id.selfSigning()),
                pub(id.master()), sign(id.body().getJsonObject("master_key"), alice, device)))).assertStatus(200).json();
        JsonObject failures = answer.getJsonObject("failures").getJsonObject(alice.userId());
        assertEquals("M_INVALID_SIGNATURE", failures.getJsonObject(alice.deviceId()).getString("errcode"));
        assertEquals("M_NOT_FOUND", failures.getJsonObject("NODEVICE").getString("errcode"));
        assertFalse(failures.containsKey(pub(id.master())));
        var second = alice.post(SIGNATURES, json(alice.userId(), json(alice.deviceId(), altered))).assertStatus(200).json();
        assertEquals("M_INVALID_PARAM", second.getJsonObject("failures").getJsonObject(alice.userId())
                .getJsonObject(alice.deviceId()).getString("errcode"));
        JsonObject sigs = query(bob, alice.userId()).getJsonObject("device_keys").getJsonObject(alice.userId())
                .getJsonObject(alice.deviceId()).getJsonObject("signatures").getJsonObject(alice.userId());
        assertEquals(java.util.Set.of(device.keyId()), sigs.keySet());
        alice.post(SIGNATURES, json(alice.userId(), "x")).assertError(400, "M_BAD_JSON");
    }

    @Test
    void signingAnotherUsersMasterKeyIsSeenOnlyBySigner() {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        Identity aliceId = setUp(alice);
        Identity bobId = setUp(bob);
        String since = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        JsonObject bobMaster = bobId.body().getJsonObject("master_key");
        var answer = alice.post(SIGNATURES, json(bob.userId(), json(pub(bobId.master()), sign(bobMaster, alice, aliceId.userSigning()))))
                .assertStatus(200).json();
        assertEquals(json(), answer.getJsonObject("failures"));

        JsonObject byAlice = query(alice, bob.userId()).getJsonObject("master_keys").getJsonObject(bob.userId());
        assertTrue(byAlice.getJsonObject("signatures").getJsonObject(alice.userId()).containsKey(aliceId.userSigning().keyId()));
        for (TestServer.User other : java.util.List.of(bob, carol)) {
            JsonObject seen = query(other, bob.userId()).getJsonObject("master_keys").getJsonObject(bob.userId());
            assertFalse(seen.containsKey("signatures") && seen.getJsonObject("signatures").containsKey(alice.userId()), seen.toString());
        }
        // The signer's own sync tells it to refetch the signed user.
        var sync = alice.get(V3 + "/sync?since=" + since).assertStatus(200).json();
        assertTrue(E2eeKeys.strings(sync.getJsonObject("device_lists").getJsonArray("changed")).contains(bob.userId()));

        // Signed by the self-signing key instead of the user-signing key; an unknown key ID; no such user.
        var bad = alice.post(SIGNATURES, json(bob.userId(), json(pub(bobId.master()), sign(bobMaster, alice, aliceId.selfSigning()),
                "SOMEDEVICE", sign(bobMaster, alice, aliceId.userSigning())))).assertStatus(200).json();
        JsonObject failures = bad.getJsonObject("failures").getJsonObject(bob.userId());
        assertEquals("M_INVALID_SIGNATURE", failures.getJsonObject(pub(bobId.master())).getString("errcode"));
        assertEquals("M_NOT_FOUND", failures.getJsonObject("SOMEDEVICE").getString("errcode"));
        // Without a user-signing key nothing can be signed.
        var dave = newUser();
        var none = dave.post(SIGNATURES, json(bob.userId(), json(pub(bobId.master()), bobMaster))).assertStatus(200).json();
        assertEquals("M_NOT_FOUND", none.getJsonObject("failures").getJsonObject(bob.userId())
                .getJsonObject(pub(bobId.master())).getString("errcode"));
    }
}
