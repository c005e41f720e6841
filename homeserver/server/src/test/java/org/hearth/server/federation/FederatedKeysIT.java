package org.hearth.server.federation;

import static org.hearth.server.TestServer.json;
import static org.hearth.server.client.E2eeKeys.crossSigningKey;
import static org.hearth.server.client.E2eeKeys.deviceKey;
import static org.hearth.server.client.E2eeKeys.deviceKeys;
import static org.hearth.server.client.E2eeKeys.oneTimeKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationException;
import org.hearth.server.TestServer;
import org.hearth.server.client.E2eeKeys;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * End-to-end encryption across two real servers (spec: Server-Server "Device Management", "End-to-End
 * Encryption", "Send-to-device messaging", "Presence"): B's user queries and claims A's user's keys, sees A's
 * device and cross-signing changes through EDUs, exchanges to-device messages and presence.
 */
class FederatedKeysIT {
    private static final String V3 = "/_matrix/client/v3";
    private static final long WAIT_MS = 30_000;
    private static final AtomicInteger N = new AtomicInteger();

    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    private static String name(String prefix) {
        return prefix + N.incrementAndGet() + "x" + (System.nanoTime() % 100000);
    }

    /** Alice of A and Bob of B in one room of A. */
    private static void sharedRoom(TestServer.User alice, TestServer.User bob) {
        String roomId = alice.post(V3 + "/createRoom", json("preset", "public_chat")).assertStatus(200).json()
                .getString("room_id");
        bob.post(V3 + "/join/" + enc(roomId) + "?server_name=" + enc(a.serverName()), JsonValue.EMPTY_JSON_OBJECT)
                .assertStatus(200);
        await("A sees " + bob.userId() + " joined", () -> alice.get(V3 + "/rooms/" + enc(roomId) + "/joined_members")
                .assertStatus(200).json().getJsonObject("joined").containsKey(bob.userId()));
    }

    @Test
    void remoteKeysAreQueriedClaimedAndKeptCurrent() {
        String alicePart = name("alice");
        var alice = a.register(alicePart);
        var bob = b.register(name("bob"));
        sharedRoom(alice, bob);
        SigningKey key = deviceKey(alice);
        JsonObject aliceKeys = deviceKeys(alice, key);
        E2eeKeys.upload(alice, json("device_keys", aliceKeys, "one_time_keys", oneTimeKeys(alice, key, "A", 2)))
                .assertStatus(200);

        JsonObject query = E2eeKeys.query(bob, alice.userId());
        assertEquals(json(), query.getJsonObject("failures"), query.toString());
        JsonObject device = query.getJsonObject("device_keys").getJsonObject(alice.userId()).getJsonObject(alice.deviceId());
        assertEquals(aliceKeys.getJsonObject("keys"), device.getJsonObject("keys"));
        assertEquals(aliceKeys.getJsonObject("signatures"), device.getJsonObject("signatures"));

        // Each claim over federation takes another one-time key.
        JsonObject first = E2eeKeys.claim(bob, alice, "signed_curve25519");
        JsonObject second = E2eeKeys.claim(bob, alice, "signed_curve25519");
        String firstId = first.getJsonObject("one_time_keys").getJsonObject(alice.userId())
                .getJsonObject(alice.deviceId()).keySet().iterator().next();
        String secondId = second.getJsonObject("one_time_keys").getJsonObject(alice.userId())
                .getJsonObject(alice.deviceId()).keySet().iterator().next();
        assertTrue(firstId.startsWith("signed_curve25519:A"), first.toString());
        assertNotEquals(firstId, secondId);
        assertEquals(0, E2eeKeys.upload(alice, json()).json().getJsonObject("one_time_key_counts")
                .getInt("signed_curve25519"));

        // A new device of alice: bob's /sync says her list changed, and his next query has the new device.
        String since = bob.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        var phone = a.login(alicePart, TestServer.DEFAULT_PASSWORD);
        E2eeKeys.upload(phone, json("device_keys", deviceKeys(phone, deviceKey(phone)))).assertStatus(200);
        awaitDeviceListChange(bob, since, alice.userId());
        await("B's query lists the new device", () -> E2eeKeys.query(bob, alice.userId()).getJsonObject("device_keys")
                .getJsonObject(alice.userId()).containsKey(phone.deviceId()));
        assertTrue(bob.get(V3 + "/keys/changes?from=" + enc(since) + "&to=" + enc(latest(bob))).assertStatus(200)
                .json().getJsonArray("changed").toString().contains(alice.userId()));

        // Cross-signing keys reach B through m.signing_key_update.
        SigningKey master = crossSigningKey();
        SigningKey selfSigning = crossSigningKey();
        alice.post(V3 + "/keys/device_signing/upload", json(
                "master_key", E2eeKeys.crossSigningKey(alice, "master", master, null),
                "self_signing_key", E2eeKeys.crossSigningKey(alice, "self_signing", selfSigning, master)))
                .assertStatus(200);
        await("B sees alice's master key", () -> E2eeKeys.query(bob, alice.userId()).getJsonObject("master_keys")
                .toString().contains(master.publicKeyBase64()));
        assertTrue(E2eeKeys.query(bob, alice.userId()).getJsonObject("self_signing_keys").toString()
                .contains(selfSigning.publicKeyBase64()));

        // The phone logs out: its device goes from B's answer.
        phone.post(V3 + "/logout", json()).assertStatus(200);
        await("B's query drops the phone", () -> !E2eeKeys.query(bob, alice.userId()).getJsonObject("device_keys")
                .getJsonObject(alice.userId()).containsKey(phone.deviceId()));
    }

    @Test
    void deviceListUpdatesApplyWhenTheyFollowAndAGapResyncs() {
        var alice = a.register(name("galice"));
        var bob = b.register(name("gbob"));
        sharedRoom(alice, bob);
        E2eeKeys.upload(alice, json("device_keys", deviceKeys(alice, deviceKey(alice)))).assertStatus(200);
        await("B lists alice's device", () -> E2eeKeys.query(bob, alice.userId()).getJsonObject("device_keys")
                .getJsonObject(alice.userId()).containsKey(alice.deviceId()));
        FederationClient fromA = a.server().federation().client();
        long streamId = b.server().federation().client().get(a.serverName(), "/_matrix/federation/v1/user/devices/"
                + enc(alice.userId())).getJsonNumber("stream_id").longValue();

        // The next update after the one B has: applied to B's copy as it stands.
        edu(fromA, deviceUpdate(alice, "GHOST", streamId + 1, streamId));
        await("B applies the update that follows", () -> E2eeKeys.query(bob, alice.userId())
                .getJsonObject("device_keys").getJsonObject(alice.userId()).containsKey("GHOST"));
        // One after a gap: B drops its copy and asks A for the whole list, which has no ghosts.
        edu(fromA, deviceUpdate(alice, "GHOST2", streamId + 10, streamId + 9));
        JsonObject devices = E2eeKeys.query(bob, alice.userId()).getJsonObject("device_keys").getJsonObject(alice.userId());
        assertEquals(java.util.Set.of(alice.deviceId()), devices.keySet(), devices.toString());
    }

    private static JsonObject deviceUpdate(TestServer.User user, String deviceId, long streamId, long prevId) {
        return json("edu_type", "m.device_list_update", "content", json("user_id", user.userId(), "device_id", deviceId,
                "stream_id", streamId, "prev_id", Json.arrayBuilder().add(prevId).build(), "keys", json("user_id",
                        user.userId(), "device_id", deviceId, "algorithms", Json.arrayBuilder().add("m.olm.v1.curve25519-aes-sha2").build(),
                        "keys", json("ed25519:" + deviceId, E2eeKeys.randomKey()))));
    }

    /** One EDU in its own transaction, from the client's server to B. */
    private static void edu(FederationClient from, JsonObject edu) {
        from.put(b.serverName(), "/_matrix/federation/v1/send/e" + System.nanoTime(), json("origin", a.serverName(),
                "origin_server_ts", System.currentTimeMillis(), "pdus", Json.arrayBuilder().build(),
                "edus", Json.arrayBuilder().add(edu).build()));
    }

    @Test
    void toDeviceMessagesCrossOnceEachWay() {
        var alice = a.register(name("talice"));
        var bob = b.register(name("tbob"));
        sharedRoom(alice, bob);
        String aliceSince = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        JsonObject body = json("messages", json(alice.userId(), json(alice.deviceId(), json("secret", "one"))));
        bob.put(V3 + "/sendToDevice/m.test/t1", body).assertStatus(200);
        bob.put(V3 + "/sendToDevice/m.test/t1", body).assertStatus(200); // a retry: not sent again
        List<JsonObject> got = new ArrayList<>();
        String[] token = {aliceSince};
        await("alice gets bob's message", () -> {
            JsonObject sync = alice.get(V3 + "/sync?timeout=1000&since=" + enc(token[0])).assertStatus(200).json();
            token[0] = sync.getString("next_batch");
            if (sync.get("to_device") instanceof JsonObject td) {
                got.addAll(td.getJsonArray("events").getValuesAs(JsonObject.class));
            }
            return !got.isEmpty();
        });
        assertEquals(bob.userId(), got.getFirst().getString("sender"));
        assertEquals("m.test", got.getFirst().getString("type"));
        assertEquals("one", got.getFirst().getJsonObject("content").getString("secret"));

        // The same EDU in two transactions (a lost answer retried): delivered once, by message_id.
        FederationClient fromB = b.server().federation().client();
        JsonObject edu = json("edu_type", "m.direct_to_device", "content", json("sender", bob.userId(), "type", "m.test",
                "message_id", "dup-1", "messages", json(alice.userId(), json("*", json("secret", "two")))));
        for (String txn : List.of("dup-a", "dup-b")) {
            fromB.put(a.serverName(), "/_matrix/federation/v1/send/" + txn + System.nanoTime(), json("origin",
                    b.serverName(), "origin_server_ts", System.currentTimeMillis(), "pdus", Json.arrayBuilder().build(),
                    "edus", Json.arrayBuilder().add(edu).build()));
        }
        // A sender of another server than the origin is ignored.
        fromB.put(a.serverName(), "/_matrix/federation/v1/send/forged" + System.nanoTime(), json("origin",
                b.serverName(), "origin_server_ts", System.currentTimeMillis(), "pdus", Json.arrayBuilder().build(),
                "edus", Json.arrayBuilder().add(json("edu_type", "m.direct_to_device", "content", json(
                        "sender", "@mallory:" + a.serverName(), "type", "m.test", "message_id", "forged",
                        "messages", json(alice.userId(), json("*", json("secret", "forged")))))).build()));
        List<JsonObject> aliceGot = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonObject sync = alice.get(V3 + "/sync?timeout=500&since=" + enc(token[0])).assertStatus(200).json();
            token[0] = sync.getString("next_batch");
            if (sync.get("to_device") instanceof JsonObject td) {
                aliceGot.addAll(td.getJsonArray("events").getValuesAs(JsonObject.class));
            }
        }
        assertEquals(List.of("two"), aliceGot.stream().map(e -> e.getJsonObject("content").getString("secret")).toList(),
                aliceGot.toString());

        // And one message back, from A to every device of bob.
        String[] bobToken = {bob.get(V3 + "/sync").assertStatus(200).json().getString("next_batch")};
        alice.put(V3 + "/sendToDevice/m.test/back", json("messages", json(bob.userId(), json("*", json("secret", "back")))))
                .assertStatus(200);
        List<JsonObject> bobGot = new ArrayList<>();
        await("bob gets alice's message", () -> {
            JsonObject sync = bob.get(V3 + "/sync?timeout=1000&since=" + enc(bobToken[0])).assertStatus(200).json();
            bobToken[0] = sync.getString("next_batch");
            if (sync.get("to_device") instanceof JsonObject td) {
                bobGot.addAll(td.getJsonArray("events").getValuesAs(JsonObject.class));
            }
            return !bobGot.isEmpty();
        });
        assertEquals(alice.userId(), bobGot.getFirst().getString("sender"));
        assertEquals("back", bobGot.getFirst().getJsonObject("content").getString("secret"));
    }

    @Test
    void presenceIsSeenAcross() {
        var alice = a.register(name("palice"));
        var bob = b.register(name("pbob"));
        sharedRoom(alice, bob);
        bob.put(V3 + "/presence/" + enc(bob.userId()) + "/status", json("presence", "unavailable", "status_msg", "lunch"))
                .assertStatus(200);
        await("A knows bob is at lunch", () -> {
            JsonObject status = alice.get(V3 + "/presence/" + enc(bob.userId()) + "/status").assertStatus(200).json();
            return status.getString("presence").equals("unavailable") && "lunch".equals(status.getString("status_msg", null));
        });
        JsonObject sync = alice.get(V3 + "/sync").assertStatus(200).json();
        assertTrue(sync.getJsonObject("presence").toString().contains(bob.userId()), sync.toString());
    }

    @Test
    void unreachableServersAreFailures() {
        var alice = a.register(name("ualice"));
        JsonObject query = alice.post(V3 + "/keys/query", json("device_keys", json("@x:unreachable.invalid",
                Json.arrayBuilder()), "timeout", 5000)).assertStatus(200).json();
        assertTrue(query.getJsonObject("failures").containsKey("unreachable.invalid"), query.toString());
        JsonObject claim = alice.post(V3 + "/keys/claim", json("one_time_keys", json("@x:unreachable.invalid",
                json("DEV", "signed_curve25519")))).assertStatus(200).json();
        assertTrue(claim.getJsonObject("failures").containsKey("unreachable.invalid"), claim.toString());
    }

    @Test
    void userKeyEndpointsAnswerForLocalUsersOnly() {
        var alice = a.register(name("lalice"));
        var bob = b.register(name("lbob"));
        E2eeKeys.upload(alice, json("device_keys", deviceKeys(alice, deviceKey(alice)))).assertStatus(200);
        FederationClient fromB = b.server().federation().client();
        JsonObject devices = fromB.get(a.serverName(), "/_matrix/federation/v1/user/devices/" + enc(alice.userId()));
        assertEquals(alice.userId(), devices.getString("user_id"));
        assertTrue(devices.getJsonNumber("stream_id").longValue() > 0, devices.toString());
        assertEquals(alice.deviceId(), devices.getJsonArray("devices").getJsonObject(0).getString("device_id"));

        FederationException notHere = assertThrows(FederationException.class, () -> fromB.get(a.serverName(),
                "/_matrix/federation/v1/user/devices/" + enc(bob.userId())));
        assertEquals(400, notHere.status());
        assertEquals(400, assertThrows(FederationException.class, () -> fromB.post(a.serverName(),
                "/_matrix/federation/v1/user/keys/query", json("device_keys", json(bob.userId(), Json.arrayBuilder()))))
                .status());
        assertEquals(400, assertThrows(FederationException.class, () -> fromB.post(a.serverName(),
                "/_matrix/federation/v1/user/keys/claim", json("one_time_keys", json(alice.userId(), json("X", 5)))))
                .status());
        assertEquals(400, assertThrows(FederationException.class, () -> fromB.post(a.serverName(),
                "/_matrix/federation/v1/user/keys/query", json("device_keys", 3))).status());
        JsonObject keys = fromB.post(a.serverName(), "/_matrix/federation/v1/user/keys/query",
                json("device_keys", json(alice.userId(), Json.arrayBuilder())));
        assertTrue(keys.getJsonObject("device_keys").getJsonObject(alice.userId()).containsKey(alice.deviceId()));
        a.federation("GET", "/_matrix/federation/v1/user/devices/" + enc(alice.userId())).assertError(401, "M_UNAUTHORIZED");
    }

    private static String latest(TestServer.User user) {
        return user.get(V3 + "/sync?timeout=0").assertStatus(200).json().getString("next_batch");
    }

    private static void awaitDeviceListChange(TestServer.User viewer, String since, String changed) {
        String[] token = {since};
        await(viewer.userId() + " sees " + changed + " in device_lists.changed", () -> {
            JsonObject sync = viewer.get(V3 + "/sync?timeout=1000&since=" + enc(token[0])).assertStatus(200).json();
            token[0] = sync.getString("next_batch");
            return sync.get("device_lists") instanceof JsonObject lists
                    && lists.getJsonArray("changed") != null && lists.getJsonArray("changed").toString().contains(changed);
        });
    }

    private static void await(String what, java.util.function.BooleanSupplier done) {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (done.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("timed out waiting until " + what);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
