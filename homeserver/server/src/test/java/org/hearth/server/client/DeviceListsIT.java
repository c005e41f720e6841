package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.hearth.server.client.E2eeKeys.V3;
import static org.hearth.server.client.E2eeKeys.crossSigningKey;
import static org.hearth.server.client.E2eeKeys.deviceKey;
import static org.hearth.server.client.E2eeKeys.deviceKeys;
import static org.hearth.server.client.E2eeKeys.enc;
import static org.hearth.server.client.E2eeKeys.oneTimeKeys;
import static org.hearth.server.client.E2eeKeys.strings;
import static org.hearth.server.client.E2eeKeys.upload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code device_lists} of /sync and GET /keys/changes over real HTTP (spec: "Tracking the device list for a
 * user", "Extensions to /sync"): every change of someone sharing a room, joins and leaves.
 */
class DeviceListsIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();

    private static TestServer.User newUser() {
        return server.register("d" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String since(TestServer.User user) {
        return user.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
    }

    private static JsonObject deviceLists(TestServer.User user, String since) {
        return user.get(V3 + "/sync?timeout=0&since=" + since).assertStatus(200).json().getJsonObject("device_lists");
    }

    private static List<String> changed(TestServer.User user, String since) {
        return strings(deviceLists(user, since).getJsonArray("changed"));
    }

    private static List<String> left(TestServer.User user, String since) {
        return strings(deviceLists(user, since).getJsonArray("left"));
    }

    private static String sharedRoom(TestServer.User alice, TestServer.User bob) {
        String room = alice.post(V3 + "/createRoom", json("name", "Keys")).assertStatus(200).json().getString("room_id");
        alice.post(V3 + "/rooms/" + enc(room) + "/invite", json("user_id", bob.userId())).assertStatus(200);
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        return room;
    }

    @Test
    void joiningARoomMarksBothSidesChanged() {
        var alice = newUser();
        var bob = newUser();
        String aliceSince = since(alice);
        String bobSince = since(bob);
        sharedRoom(alice, bob);
        assertTrue(changed(alice, aliceSince).contains(bob.userId()));
        // Bob joined a room: its members are new to him.
        assertTrue(changed(bob, bobSince).contains(alice.userId()));
        assertEquals(List.of(), left(alice, aliceSince));
    }

    @Test
    void leavingTheLastSharedRoomIsLeftOnBothSides() {
        var alice = newUser();
        var bob = newUser();
        String room = sharedRoom(alice, bob);
        String aliceSince = since(alice);
        String bobSince = since(bob);
        bob.post(V3 + "/rooms/" + enc(room) + "/leave", json()).assertStatus(200);
        assertEquals(List.of(bob.userId()), left(alice, aliceSince));
        assertFalse(changed(alice, aliceSince).contains(bob.userId()));
        assertEquals(List.of(alice.userId()), left(bob, bobSince));
        // /keys/changes says the same between the same tokens.
        var changes = alice.get(V3 + "/keys/changes?from=" + aliceSince + "&to=" + since(alice)).assertStatus(200).json();
        assertEquals(List.of(bob.userId()), strings(changes.getJsonArray("left")));
    }

    @Test
    void leavingOneOfTwoSharedRoomsIsNotLeft() {
        var alice = newUser();
        var bob = newUser();
        String first = sharedRoom(alice, bob);
        sharedRoom(alice, bob);
        String aliceSince = since(alice);
        bob.post(V3 + "/rooms/" + enc(first) + "/leave", json()).assertStatus(200);
        assertEquals(List.of(), left(alice, aliceSince));
    }

    @Test
    void newAndDeletedDevicesAreChanged() {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        sharedRoom(alice, bob);
        String aliceSince = since(alice);
        String carolSince = since(carol);
        var phone = server.login(bob.localpart(), TestServer.DEFAULT_PASSWORD);
        assertTrue(changed(alice, aliceSince).contains(bob.userId()));
        // Carol shares no room with Bob: his devices are none of her business.
        assertFalse(changed(carol, carolSince).contains(bob.userId()));

        aliceSince = since(alice);
        phone.post(V3 + "/logout", json()).assertStatus(200);
        assertTrue(changed(alice, aliceSince).contains(bob.userId()));
    }

    @Test
    void keyUploadsAreChangedButOneTimeKeysAreNot() {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        sharedRoom(alice, bob);
        String aliceSince = since(alice);
        String carolSince = since(carol);
        SigningKey key = deviceKey(bob);
        upload(bob, json("device_keys", deviceKeys(bob, key))).assertStatus(200);
        assertTrue(changed(alice, aliceSince).contains(bob.userId()));
        assertFalse(changed(carol, carolSince).contains(bob.userId()));
        var changes = alice.get(V3 + "/keys/changes?from=" + aliceSince + "&to=" + since(alice)).assertStatus(200).json();
        assertTrue(strings(changes.getJsonArray("changed")).contains(bob.userId()));

        aliceSince = since(alice);
        upload(bob, json("one_time_keys", oneTimeKeys(bob, key, "X", 2))).assertStatus(200);
        assertFalse(changed(alice, aliceSince).contains(bob.userId()));
    }

    @Test
    void crossSigningUploadIsChanged() {
        var alice = newUser();
        var bob = newUser();
        sharedRoom(alice, bob);
        String aliceSince = since(alice);
        bob.post(V3 + "/keys/device_signing/upload", json("master_key",
                E2eeKeys.crossSigningKey(bob, "master", crossSigningKey(), null))).assertStatus(200);
        assertTrue(changed(alice, aliceSince).contains(bob.userId()));
    }

    @Test
    void anInviteeIsChangedAndSoIsOnesOwnUserSigningKey() {
        var alice = newUser();
        var bob = newUser();
        String aliceSince = since(alice);
        String room = alice.post(V3 + "/createRoom", json("name", "Invite")).assertStatus(200).json().getString("room_id");
        alice.post(V3 + "/rooms/" + enc(room) + "/invite", json("user_id", bob.userId())).assertStatus(200);
        assertTrue(changed(alice, aliceSince).contains(bob.userId()));

        var master = crossSigningKey();
        alice.post(V3 + "/keys/device_signing/upload", json("master_key", E2eeKeys.crossSigningKey(alice, "master", master, null)))
                .assertStatus(200);
        aliceSince = since(alice);
        String bobSince = since(bob);
        alice.post(V3 + "/keys/device_signing/upload", json("user_signing_key",
                E2eeKeys.crossSigningKey(alice, "user_signing", crossSigningKey(), master))).assertStatus(401);
        alice.post(V3 + "/keys/device_signing/upload", json("user_signing_key", E2eeKeys.crossSigningKey(alice, "user_signing", crossSigningKey(), master),
                "auth", json("type", "m.login.password", "identifier", json("type", "m.id.user", "user", alice.localpart()),
                        "password", TestServer.DEFAULT_PASSWORD))).assertStatus(200);
        assertTrue(changed(alice, aliceSince).contains(alice.userId()));
        // Nobody else sees a user-signing key, so nobody else is told.
        assertFalse(changed(bob, bobSince).contains(alice.userId()));
    }

    @Test
    void aLongPollingSyncWakesOnAKeyUpload() throws Exception {
        var alice = newUser();
        var bob = newUser();
        sharedRoom(alice, bob);
        String aliceSince = since(alice);
        var uploader = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            upload(bob, json("device_keys", deviceKeys(bob, deviceKey(bob)))).assertStatus(200);
        });
        long start = System.nanoTime();
        var body = alice.get(V3 + "/sync?timeout=20000&since=" + aliceSince).assertStatus(200).json();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        uploader.join();
        assertTrue(strings(body.getJsonObject("device_lists").getJsonArray("changed")).contains(bob.userId()));
        assertTrue(tookMs < 5_000, "answered after " + tookMs + " ms");
    }

    @Test
    void keysChangesChecksItsTokens() {
        var alice = newUser();
        alice.get(V3 + "/keys/changes").assertError(400, "M_MISSING_PARAM");
        alice.get(V3 + "/keys/changes?from=garbage").assertError(400, "M_INVALID_PARAM");
        var now = alice.get(V3 + "/keys/changes?from=" + since(alice)).assertStatus(200).json();
        assertEquals(List.of(), strings(now.getJsonArray("left")));
    }
}
