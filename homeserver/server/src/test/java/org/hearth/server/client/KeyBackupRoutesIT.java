package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KeyBackupRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    static final String ALGORITHM = "m.megolm_backup.v1.curve25519-aes-sha2";
    static final String V3 = "/_matrix/client/v3/room_keys";
    static final String ROOM = "!room:example.org";

    private static JsonObject authData(String publicKey) {
        return json("public_key", publicKey, "signatures", json());
    }

    private static String create(TestServer.User user, String publicKey) {
        return user.post(V3 + "/version", json("algorithm", ALGORITHM, "auth_data", authData(publicKey)))
                .assertStatus(200).json().getString("version");
    }

    static JsonObject key(boolean verified, int firstIndex, int forwarded, String ciphertext) {
        return json("first_message_index", firstIndex, "forwarded_count", forwarded, "is_verified", verified,
                "session_data", json("ephemeral", "eph", "ciphertext", ciphertext, "mac", "mac"));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String sessionPath(String room, String session, String version) {
        return V3 + "/keys/" + enc(room) + "/" + enc(session) + "?version=" + version;
    }

    @Test
    void versionsAreCreatedReadUpdatedAndDeleted() {
        var alice = server.register("bk_alice");
        alice.get(V3 + "/version").assertError(404, "M_NOT_FOUND");
        String v1 = create(alice, "key1");
        String v2 = create(alice, "key2");
        assertEquals("1", v1);
        assertEquals("2", v2);

        JsonObject current = alice.get(V3 + "/version").assertStatus(200).json();
        assertEquals(v2, current.getString("version"));
        assertEquals(ALGORITHM, current.getString("algorithm"));
        assertEquals(authData("key2"), current.getJsonObject("auth_data"));
        assertEquals(0, current.getInt("count"));
        assertTrue(current.containsKey("etag"));
        assertEquals("key1", alice.get(V3 + "/version/" + v1).assertStatus(200).json()
                .getJsonObject("auth_data").getString("public_key"));

        // r0 too: key backup existed there.
        alice.get("/_matrix/client/r0/room_keys/version").assertStatus(200);

        alice.put(V3 + "/version/" + v2, json("algorithm", ALGORITHM, "auth_data", authData("key2b"), "version", v2))
                .assertStatus(200);
        alice.put(V3 + "/version/" + v2, json("algorithm", ALGORITHM, "auth_data", authData("key2c"))).assertStatus(200);
        assertEquals("key2c", alice.get(V3 + "/version/" + v2).json().getJsonObject("auth_data").getString("public_key"));
        alice.put(V3 + "/version/" + v2, json("algorithm", "other", "auth_data", authData("x"))).assertError(400, "M_INVALID_PARAM");
        alice.put(V3 + "/version/" + v2, json("algorithm", ALGORITHM, "auth_data", authData("x"), "version", v1))
                .assertError(400, "M_INVALID_PARAM");
        alice.put(V3 + "/version/99", json("algorithm", ALGORITHM, "auth_data", authData("x"))).assertError(404, "M_NOT_FOUND");
        assertEquals("key2c", alice.get(V3 + "/version/" + v2).json().getJsonObject("auth_data").getString("public_key"));

        alice.delete(V3 + "/version/" + v2).assertStatus(200);
        alice.get(V3 + "/version/" + v2).assertError(404, "M_NOT_FOUND");
        // Deleting again succeeds (spec); a version that never existed is 404.
        alice.delete(V3 + "/version/" + v2).assertStatus(200);
        alice.delete(V3 + "/version/77").assertError(404, "M_NOT_FOUND");
        alice.delete(V3 + "/version/nonsense").assertError(404, "M_NOT_FOUND");
        // The previous version is current again; new versions never reuse a deleted number.
        assertEquals(v1, alice.get(V3 + "/version").json().getString("version"));
        assertEquals("3", create(alice, "key3"));
        alice.put(V3 + "/version/" + v2, json("algorithm", ALGORITHM, "auth_data", authData("x"))).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void versionsArePerUser() {
        var bob = server.register("bk_bob");
        var carol = server.register("bk_carol");
        String v = create(bob, "bob");
        carol.get(V3 + "/version/" + v).assertError(404, "M_NOT_FOUND");
        carol.get(V3 + "/version").assertError(404, "M_NOT_FOUND");
        carol.delete(V3 + "/version/" + v).assertError(404, "M_NOT_FOUND");
        assertEquals("1", create(carol, "carol"));
        carol.get(V3 + "/keys?version=" + v).assertStatus(200);
        bob.put(sessionPath(ROOM, "s", v), key(false, 0, 0, "bob")).assertStatus(200);
        assertEquals(0, carol.get(V3 + "/keys?version=" + v).json().getJsonObject("rooms").size());
    }

    @Test
    void badVersionBodiesAreRefusedAndNothingIsStored() {
        var dan = server.register("bk_dan");
        dan.post(V3 + "/version", json("auth_data", authData("k"))).assertError(400, "M_MISSING_PARAM");
        dan.post(V3 + "/version", json("algorithm", ALGORITHM)).assertError(400, "M_MISSING_PARAM");
        dan.post(V3 + "/version", json("algorithm", 5, "auth_data", authData("k"))).assertError(400, "M_BAD_JSON");
        dan.post(V3 + "/version", json("algorithm", ALGORITHM, "auth_data", "k")).assertError(400, "M_BAD_JSON");
        server.client("POST", V3 + "/version", java.net.http.HttpRequest.BodyPublishers.ofString("{not json"),
                "Authorization", "Bearer " + dan.accessToken()).assertError(400, "M_NOT_JSON");
        dan.get(V3 + "/version").assertError(404, "M_NOT_FOUND");
        server.client("GET", V3 + "/version").assertError(401, "M_MISSING_TOKEN");
        dan.send("PATCH", V3 + "/version", json()).assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void keysAreStoredAtThreeLevelsAndDeleted() {
        var erin = server.register("bk_erin");
        String v = create(erin, "k");
        // Megolm session IDs are base64: '/' and '+' reach us percent-encoded in the path.
        String session = "ab/cd+ef";
        JsonObject first = erin.put(sessionPath(ROOM, session, v), key(false, 3, 1, "one")).assertStatus(200).json();
        assertEquals(1, first.getInt("count"));
        JsonObject room = erin.put(V3 + "/keys/" + enc(ROOM) + "?version=" + v,
                json("sessions", json("s2", key(true, 0, 0, "two"), "s3", key(false, 0, 0, "three")))).assertStatus(200).json();
        assertEquals(3, room.getInt("count"));
        assertNotEquals(first.getString("etag"), room.getString("etag"));
        JsonObject all = erin.put(V3 + "/keys?version=" + v, json("rooms", json("!other:example.org",
                json("sessions", json("s4", key(false, 0, 0, "four")))))).assertStatus(200).json();
        assertEquals(4, all.getInt("count"));

        assertEquals(key(false, 3, 1, "one"), erin.get(sessionPath(ROOM, session, v)).assertStatus(200).json());
        JsonObject roomKeys = erin.get(V3 + "/keys/" + enc(ROOM) + "?version=" + v).assertStatus(200).json();
        assertEquals(3, roomKeys.getJsonObject("sessions").size());
        assertEquals(key(true, 0, 0, "two"), roomKeys.getJsonObject("sessions").getJsonObject("s2"));
        JsonObject everything = erin.get(V3 + "/keys?version=" + v).assertStatus(200).json().getJsonObject("rooms");
        assertEquals(2, everything.size());
        assertEquals(key(false, 0, 0, "four"), everything.getJsonObject("!other:example.org").getJsonObject("sessions").getJsonObject("s4"));
        JsonObject info = erin.get(V3 + "/version/" + v).json();
        assertEquals(4, info.getInt("count"));
        assertEquals(all.getString("etag"), info.getString("etag"));

        // Empty answers for an unknown room; 404 for an unknown session.
        assertEquals(json("sessions", json()), erin.get(V3 + "/keys/" + enc("!none:example.org") + "?version=" + v).assertStatus(200).json());
        erin.get(sessionPath(ROOM, "nosuch", v)).assertError(404, "M_NOT_FOUND");

        JsonObject afterSession = erin.delete(sessionPath(ROOM, session, v)).assertStatus(200).json();
        assertEquals(3, afterSession.getInt("count"));
        assertNotEquals(all.getString("etag"), afterSession.getString("etag"));
        erin.get(sessionPath(ROOM, session, v)).assertError(404, "M_NOT_FOUND");
        // Deleting nothing leaves the etag alone.
        assertEquals(afterSession, erin.delete(sessionPath(ROOM, session, v)).assertStatus(200).json());
        assertEquals(1, erin.delete(V3 + "/keys/" + enc(ROOM) + "?version=" + v).assertStatus(200).json().getInt("count"));
        assertEquals(0, erin.delete(V3 + "/keys?version=" + v).assertStatus(200).json().getInt("count"));
        assertEquals(json("rooms", json()), erin.get(V3 + "/keys?version=" + v).assertStatus(200).json());
    }

    @Test
    void replacementFollowsTheSpecOrder() {
        var fay = server.register("bk_fay");
        String v = create(fay, "k");
        String path = sessionPath(ROOM, "s", v);
        String etag = fay.put(path, key(false, 5, 2, "a")).assertStatus(200).json().getString("etag");

        // Worse on every count: kept, and the etag stays.
        JsonObject kept = fay.put(path, key(false, 6, 3, "worse")).assertStatus(200).json();
        assertEquals(etag, kept.getString("etag"));
        assertEquals(1, kept.getInt("count"));
        assertEquals("a", ciphertext(fay, path));
        // Equal on every count: the stored key stays.
        fay.put(path, key(false, 5, 2, "equal")).assertStatus(200);
        assertEquals("a", ciphertext(fay, path));
        // Same first_message_index, fewer forwards: replaced, and the etag changes.
        JsonObject replaced = fay.put(path, key(false, 5, 1, "fewer")).assertStatus(200).json();
        assertNotEquals(etag, replaced.getString("etag"));
        assertEquals("fewer", ciphertext(fay, path));
        // Lower first_message_index beats fewer forwards.
        fay.put(path, key(false, 4, 9, "lower")).assertStatus(200);
        assertEquals("lower", ciphertext(fay, path));
        // Verified beats unverified, even with a higher index and more forwards.
        fay.put(path, key(true, 9, 9, "verified")).assertStatus(200);
        assertEquals("verified", ciphertext(fay, path));
        // And an unverified key never replaces a verified one, however good its index.
        fay.put(path, key(false, 0, 0, "unverified")).assertStatus(200);
        assertEquals("verified", ciphertext(fay, path));
        // Among verified keys, the index decides again.
        fay.put(path, key(true, 1, 9, "verified-lower")).assertStatus(200);
        assertEquals("verified-lower", ciphertext(fay, path));
        assertEquals(1, fay.get(V3 + "/version/" + v).json().getInt("count"));
    }

    private static String ciphertext(TestServer.User user, String path) {
        return user.get(path).assertStatus(200).json().getJsonObject("session_data").getString("ciphertext");
    }

    @Test
    void onlyTheCurrentVersionTakesKeys() {
        var gus = server.register("bk_gus");
        erinlessUploadWithoutBackup(gus);
        String v1 = create(gus, "k1");
        gus.put(sessionPath(ROOM, "s", v1), key(false, 0, 0, "old")).assertStatus(200);
        String v2 = create(gus, "k2");
        JsonObject wrong = gus.put(sessionPath(ROOM, "t", v1), key(false, 0, 0, "x")).assertError(403, "M_WRONG_ROOM_KEYS_VERSION").json();
        assertEquals(v2, wrong.getString("current_version"));
        gus.put(V3 + "/keys?version=" + v1, json("rooms", json())).assertError(403, "M_WRONG_ROOM_KEYS_VERSION");
        gus.put(sessionPath(ROOM, "t", "99"), key(false, 0, 0, "x")).assertError(404, "M_NOT_FOUND");
        // Reading and deleting an older version's keys still works.
        assertEquals("old", ciphertext(gus, sessionPath(ROOM, "s", v1)));
        gus.get(sessionPath(ROOM, "t", v1)).assertError(404, "M_NOT_FOUND");
        assertEquals(0, gus.delete(sessionPath(ROOM, "s", v1)).assertStatus(200).json().getInt("count"));
        // A deleted version takes nothing and shows nothing.
        gus.put(sessionPath(ROOM, "s", v2), key(false, 0, 0, "new")).assertStatus(200);
        gus.delete(V3 + "/version/" + v2).assertStatus(200);
        gus.put(sessionPath(ROOM, "s", v2), key(false, 0, 0, "x")).assertError(404, "M_NOT_FOUND");
        gus.get(V3 + "/keys?version=" + v2).assertError(404, "M_NOT_FOUND");
        gus.delete(V3 + "/keys?version=" + v2).assertError(404, "M_NOT_FOUND");
        // v1 is current again, and a new version starts empty.
        gus.put(sessionPath(ROOM, "s", v1), key(false, 0, 0, "again")).assertStatus(200);
        String v3 = create(gus, "k3");
        assertEquals(0, gus.get(V3 + "/version/" + v3).json().getInt("count"));
        assertEquals(json("rooms", json()), gus.get(V3 + "/keys?version=" + v3).json());
    }

    private static void erinlessUploadWithoutBackup(TestServer.User user) {
        user.put(sessionPath(ROOM, "s", "1"), key(false, 0, 0, "x")).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void badKeyUploadsAreRefusedWholeAndNothingIsStored() {
        var hal = server.register("bk_hal");
        String v = create(hal, "k");
        hal.put(V3 + "/keys/" + enc(ROOM) + "/s", key(false, 0, 0, "x")).assertError(400, "M_MISSING_PARAM");
        hal.get(V3 + "/keys").assertError(400, "M_MISSING_PARAM");
        hal.delete(V3 + "/keys").assertError(400, "M_MISSING_PARAM");
        JsonObject wrongType = json("first_message_index", "0", "forwarded_count", 0, "is_verified", false, "session_data", json());
        hal.put(sessionPath(ROOM, "s", v), wrongType).assertError(400, "M_BAD_JSON");
        JsonObject missing = json("first_message_index", 0, "forwarded_count", 0, "session_data", json());
        hal.put(sessionPath(ROOM, "s", v), missing).assertError(400, "M_MISSING_PARAM");
        hal.put(V3 + "/keys?version=" + v, json()).assertError(400, "M_MISSING_PARAM");
        hal.put(V3 + "/keys?version=" + v, json("rooms", "x")).assertError(400, "M_BAD_JSON");
        hal.put(V3 + "/keys?version=" + v, json("rooms", json("not-a-room", json("sessions", json()))))
                .assertError(400, "M_INVALID_PARAM");
        // One bad key among good ones: nothing of the request is stored.
        hal.put(V3 + "/keys?version=" + v, json("rooms", json(ROOM, json("sessions",
                json("good", key(false, 0, 0, "g"), "bad", json("first_message_index", 0)))))).assertError(400, "M_MISSING_PARAM");
        hal.put(sessionPath("not-a-room", "s", v), key(false, 0, 0, "x")).assertError(400, "M_INVALID_PARAM");
        hal.put(sessionPath(ROOM, "s".repeat(256), v), key(false, 0, 0, "x")).assertError(400, "M_INVALID_PARAM");
        JsonObject info = hal.get(V3 + "/version/" + v).json();
        assertEquals(0, info.getInt("count"));
        assertEquals("0", info.getString("etag"));
    }

    @Test
    void concurrentUploadsKeepEveryKeyAndTheCountRight() throws Exception {
        var ivy = server.register("bk_ivy");
        String v = create(ivy, "k");
        int clients = 8;
        int perClient = 25;
        List<Callable<Integer>> uploads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            uploads.add(() -> {
                var sessions = jakarta.json.Json.createObjectBuilder();
                for (int i = 0; i < perClient; i++) {
                    // Every client uploads the shared sessions too, each with a different quality.
                    sessions.add("own-" + client + "-" + i, key(false, 0, 0, "c" + client));
                    sessions.add("shared-" + i, key(false, client, 0, "c" + client));
                }
                return ivy.put(V3 + "/keys?version=" + v, json("rooms", json(ROOM, json("sessions", sessions))))
                        .assertStatus(200).json().getInt("count");
            });
        }
        List<Integer> counts = new ArrayList<>();
        try (var pool = Executors.newFixedThreadPool(clients)) {
            for (Future<Integer> f : pool.invokeAll(uploads)) {
                counts.add(f.get());
            }
        }
        int expected = clients * perClient + perClient;
        assertTrue(counts.contains(expected), "the last upload sees every key: " + counts);
        JsonObject info = ivy.get(V3 + "/version/" + v).json();
        assertEquals(expected, info.getInt("count"));
        JsonObject sessions = ivy.get(V3 + "/keys/" + enc(ROOM) + "?version=" + v).json().getJsonObject("sessions");
        assertEquals(expected, sessions.size());
        // Whatever the order, the shared sessions hold the best key offered: client 0's (first_message_index 0).
        for (int i = 0; i < perClient; i++) {
            assertEquals("c0", sessions.getJsonObject("shared-" + i).getJsonObject("session_data").getString("ciphertext"));
        }
        assertFalse(info.getString("etag").isEmpty());
    }
}
