package org.hearth.server.client;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Delayed events (MSC4140) over real HTTP and MariaDB, on the unstable paths matrix-js-sdk uses: a delayed send or
 * state PUT answers a delay_id and the event arrives after the delay; restart, cancel and send-now; the owner's
 * list; the table survives a restart; errors for unknown or foreign IDs and bad delays; another user's state change
 * cancels a delayed state event at the same key.
 */
class DelayedEventsIT {
    static final String UNSTABLE = "/_matrix/client/unstable/org.matrix.msc4140";
    static final long MAX_DELAY = 600_000;
    static final int MAX_SCHEDULED = 5;

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("delayed_events.max_delay_ms", Long.toString(MAX_DELAY))
            .with("delayed_events.max_scheduled", Integer.toString(MAX_SCHEDULED));

    private static final AtomicInteger USERS = new AtomicInteger();

    static TestServer.User user(String name) {
        return server.register(name + USERS.incrementAndGet());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String createRoom(TestServer.User owner, TestServer.User... joiners) {
        String room = owner.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200).json()
                .getString("room_id");
        for (TestServer.User u : joiners) {
            u.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        }
        return room;
    }

    static TestServer.Response sendDelayed(TestServer.User user, String room, String body, String delay) {
        return user.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/" + System.nanoTime()
                + "?org.matrix.msc4140.delay=" + delay, json("msgtype", "m.text", "body", body));
    }

    static String delayedMessage(TestServer.User user, String room, String body, long delayMs) {
        return sendDelayed(user, room, body, Long.toString(delayMs)).assertStatus(200).json().getString("delay_id");
    }

    static String delayedState(TestServer.User user, String room, String stateKey, JsonObject content, long delayMs) {
        return user.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/org.example.status/" + enc(stateKey)
                + "?org.matrix.msc4140.delay=" + delayMs, content).assertStatus(200).json().getString("delay_id");
    }

    /** Bodies of the room's m.room.message events, oldest first. */
    static List<String> messages(TestServer.User user, String room) {
        var chunk = user.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=100").assertStatus(200)
                .json().getJsonArray("chunk");
        return chunk.stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("type").equals("m.room.message"))
                .map(e -> e.getJsonObject("content").getString("body", ""))
                .toList().reversed();
    }

    static JsonObject state(TestServer.User user, String room, String stateKey) {
        var r = user.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/org.example.status/" + enc(stateKey));
        return r.status() == 200 ? r.json() : null;
    }

    static List<JsonObject> pending(TestServer.User user) {
        return user.get(UNSTABLE + "/delayed_events").assertStatus(200).json().getJsonArray("delayed_events").stream()
                .map(JsonValue::asJsonObject).toList();
    }

    static TestServer.Response action(TestServer.User user, String delayId, String action) {
        return user.post(UNSTABLE + "/delayed_events/" + enc(delayId), json("action", action));
    }

    @Test
    void versionsAndCapabilitiesAdvertiseTheUnstableFeature() {
        JsonObject versions = server.client("GET", "/_matrix/client/versions").assertStatus(200).json();
        assertEquals(JsonValue.TRUE, versions.getJsonObject("unstable_features").get("org.matrix.msc4140"));
        JsonObject limits = user("carol").get("/_matrix/client/v3/capabilities").assertStatus(200).json()
                .getJsonObject("capabilities").getJsonObject("org.matrix.msc4140.delayed_events");
        assertEquals(MAX_DELAY, limits.getJsonNumber("max_delay_ms").longValue());
        assertEquals(MAX_SCHEDULED, limits.getInt("max_scheduled"));
    }

    @Test
    void aDelayedMessageArrivesAfterItsDelayAndLeavesTheList() throws Exception {
        var alice = user("alice");
        var bob = user("bob");
        String room = createRoom(alice, bob);
        String delayId = delayedMessage(alice, room, "later", 1500);
        assertFalse(delayId.isEmpty());
        List<JsonObject> listed = pending(alice);
        assertEquals(1, listed.size());
        JsonObject item = listed.getFirst();
        assertEquals(delayId, item.getString("delay_id"));
        assertEquals(room, item.getString("room_id"));
        assertEquals("m.room.message", item.getString("type"));
        assertFalse(item.containsKey("state_key"));
        assertEquals(1500, item.getJsonNumber("delay").longValue());
        assertTrue(item.getJsonNumber("running_since").longValue() > 0);
        assertEquals("later", item.getJsonObject("content").getString("body"));

        eventually(() -> messages(bob, room).contains("later") ? true : null);
        assertTrue(pending(alice).isEmpty());
        // Sent as alice, once.
        assertEquals(1, messages(bob, room).stream().filter("later"::equals).count());
    }

    @Test
    void aDelayedStateEventIsSentAsItsOwner() throws Exception {
        var alice = user("alice");
        var bob = user("bob");
        String room = createRoom(alice, bob);
        delayedState(alice, room, alice.userId(), json("status", "gone"), 1000);
        assertEquals(null, state(bob, room, alice.userId()));
        JsonObject sent = eventually(() -> {
            var r = bob.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/org.example.status/"
                    + enc(alice.userId()) + "?format=event");
            return r.status() == 200 ? r.json() : null;
        });
        assertEquals(alice.userId(), sent.getString("sender"));
        assertEquals("gone", sent.getJsonObject("content").getString("status"));
    }

    @Test
    void restartingKeepsPushingTheSendBack() throws Exception {
        var alice = user("alice");
        String room = createRoom(alice);
        String delayId = delayedMessage(alice, room, "heartbeat-leave", 4000);
        long firstSince = pending(alice).getFirst().getJsonNumber("running_since").longValue();
        // 6 s of restarts every 0.5 s: without them the 4 s delay would have passed.
        long end = System.currentTimeMillis() + 6000;
        while (System.currentTimeMillis() < end) {
            action(alice, delayId, "restart").assertStatus(200);
            Thread.sleep(500);
        }
        assertFalse(messages(alice, room).contains("heartbeat-leave"));
        assertTrue(pending(alice).getFirst().getJsonNumber("running_since").longValue() > firstSince);
        // Also by the per-action path; then it goes out once restarts stop.
        alice.post(UNSTABLE + "/delayed_events/" + enc(delayId) + "/restart", json()).assertStatus(200);
        eventually(() -> messages(alice, room).contains("heartbeat-leave") ? true : null);
    }

    @Test
    void aCancelledEventIsNeverSent() throws Exception {
        var alice = user("alice");
        String room = createRoom(alice);
        String cancelled = delayedMessage(alice, room, "cancelled", 1000);
        action(alice, cancelled, "cancel").assertStatus(200);
        alice.post(UNSTABLE + "/delayed_events/" + enc(delayedMessage(alice, room, "cancelled-too", 1000)) + "/cancel",
                json()).assertStatus(200);
        // A later one with a longer delay: once it is there, the cancelled ones would have been too.
        delayedMessage(alice, room, "marker", 1500);
        eventually(() -> messages(alice, room).contains("marker") ? true : null);
        assertFalse(messages(alice, room).contains("cancelled"));
        assertFalse(messages(alice, room).contains("cancelled-too"));
        action(alice, cancelled, "cancel").assertError(404, "M_NOT_FOUND");
        action(alice, cancelled, "restart").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void sendNowSendsAtOnce() throws Exception {
        var alice = user("alice");
        String room = createRoom(alice);
        String delayId = delayedMessage(alice, room, "now", MAX_DELAY);
        action(alice, delayId, "send").assertStatus(200);
        assertTrue(messages(alice, room).contains("now"));
        assertTrue(pending(alice).isEmpty());
        action(alice, delayId, "send").assertError(404, "M_NOT_FOUND");
        String other = delayedMessage(alice, room, "now-by-path", MAX_DELAY);
        alice.post(UNSTABLE + "/delayed_events/" + enc(other) + "/send", json()).assertStatus(200);
        assertTrue(messages(alice, room).contains("now-by-path"));
    }

    @Test
    void aRefusedSendNowAnswersTheErrorAndStaysScheduled() {
        var alice = user("alice");
        var bob = user("bob");
        String room = createRoom(alice, bob);
        // Bob may not send this state event (power level 50 needed); the delayed event is accepted anyway.
        String delayId = bob.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.topic?org.matrix.msc4140.delay="
                + MAX_DELAY, json("topic", "bob's")).assertStatus(200).json().getString("delay_id");
        action(bob, delayId, "send").assertError(403, "M_FORBIDDEN");
        assertEquals(1, pending(bob).size());
        action(bob, delayId, "cancel").assertStatus(200);
    }

    @Test
    void aDueEventThatFailsAuthIsDroppedAndOthersStillGoOut() throws Exception {
        var alice = user("alice");
        var bob = user("bob");
        String room = createRoom(alice, bob);
        bob.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.topic?org.matrix.msc4140.delay=500",
                json("topic", "bob's")).assertStatus(200);
        String marker = delayedMessage(bob, room, "after-the-refused-one", 1000);
        eventually(() -> messages(alice, room).contains("after-the-refused-one") ? true : null);
        assertTrue(pending(bob).isEmpty());
        assertEquals(404, alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.topic").status());
        action(bob, marker, "send").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void anotherUsersDelayIdIsUnknown() {
        var alice = user("alice");
        var mallory = user("mallory");
        String room = createRoom(alice, mallory);
        String delayId = delayedMessage(alice, room, "mine", MAX_DELAY);
        for (String a : List.of("cancel", "restart", "send")) {
            action(mallory, delayId, a).assertError(404, "M_NOT_FOUND");
            mallory.post(UNSTABLE + "/delayed_events/" + enc(delayId) + "/" + a, json()).assertError(404, "M_NOT_FOUND");
        }
        assertTrue(pending(mallory).isEmpty());
        assertEquals(1, pending(alice).size());
        action(alice, delayId, "cancel").assertStatus(200);
    }

    @Test
    void unknownIdsAndBadActionsAreRefused() {
        var alice = user("alice");
        action(alice, "hd_nosuchdelay", "cancel").assertError(404, "M_NOT_FOUND");
        alice.post(UNSTABLE + "/delayed_events/hd_nosuchdelay/restart", json()).assertError(404, "M_NOT_FOUND");
        alice.post(UNSTABLE + "/delayed_events/hd_nosuchdelay", json()).assertError(400, "M_MISSING_PARAM");
        action(alice, "hd_nosuchdelay", "explode").assertError(400, "M_INVALID_PARAM");
        alice.post(UNSTABLE + "/delayed_events/hd_nosuchdelay/explode", json()).assertError(404, "M_UNRECOGNIZED");
        server.client("GET", UNSTABLE + "/delayed_events").assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void badDelaysAreRefusedAndNothingIsStored() {
        var alice = user("alice");
        String room = createRoom(alice);
        sendDelayed(alice, room, "x", "soon").assertError(400, "M_INVALID_PARAM");
        sendDelayed(alice, room, "x", "-5").assertError(400, "M_INVALID_PARAM");
        JsonObject over = sendDelayed(alice, room, "x", Long.toString(MAX_DELAY + 1)).assertError(400, "M_UNKNOWN").json();
        // The unstable shape matrix-js-sdk reads to retry with the server's maximum.
        assertEquals("M_MAX_DELAY_EXCEEDED", over.getString("org.matrix.msc4140.errcode"));
        assertEquals(MAX_DELAY, over.getJsonNumber("org.matrix.msc4140.max_delay").longValue());
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/org.example.status/x?org.matrix.msc4140.delay="
                + (MAX_DELAY + 1), json("status", "x")).assertError(400, "M_UNKNOWN");
        assertTrue(pending(alice).isEmpty());
        assertFalse(messages(alice, room).contains("x"));
    }

    @Test
    void overTheLimitOfScheduledEventsIsRateLimited() {
        var alice = user("alice");
        String room = createRoom(alice);
        for (int i = 0; i < MAX_SCHEDULED; i++) {
            delayedMessage(alice, room, "n" + i, MAX_DELAY);
        }
        var refused = sendDelayed(alice, room, "one too many", Long.toString(MAX_DELAY)).assertError(429, "M_LIMIT_EXCEEDED");
        assertTrue(refused.json().getJsonNumber("retry_after_ms").longValue() > 0);
        assertEquals(MAX_SCHEDULED, pending(alice).size());
        pending(alice).forEach(e -> action(alice, e.getString("delay_id"), "cancel").assertStatus(200));
    }

    @Test
    void aRetriedSendGetsTheSameDelayId() {
        var alice = user("alice");
        String room = createRoom(alice);
        String path = "/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/txn-" + System.nanoTime()
                + "?org.matrix.msc4140.delay=" + MAX_DELAY;
        String first = alice.put(path, json("msgtype", "m.text", "body", "once")).assertStatus(200).json().getString("delay_id");
        String again = alice.put(path, json("msgtype", "m.text", "body", "once")).assertStatus(200).json().getString("delay_id");
        assertEquals(first, again);
        assertEquals(1, pending(alice).size());
        action(alice, first, "cancel").assertStatus(200);
    }

    @Test
    void anotherUsersStateChangeCancelsADelayedStateEventButTheOwnersDoesNot() throws Exception {
        var alice = user("alice");
        var bob = user("bob");
        String room = createRoom(alice, bob);
        // The MatrixRTC pattern: a delayed "leave" first, then the owner's own "join" at the same key; it stays.
        String shared = "shared-key";
        String leave = delayedState(alice, room, shared, json("status", "left"), MAX_DELAY);
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/org.example.status/" + shared,
                json("status", "joined")).assertStatus(200);
        String other = delayedState(alice, room, "other-key", json("status", "left"), MAX_DELAY);
        // Alice is the room's creator (power 100) and bob needs 50 for state: give it to him.
        JsonObject levels = alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.power_levels")
                .assertStatus(200).json();
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.power_levels",
                jakarta.json.Json.createObjectBuilder(levels).add("users", jakarta.json.Json.createObjectBuilder(
                        levels.getJsonObject("users")).add(bob.userId(), 50)).build()).assertStatus(200);
        List<String> before = pending(alice).stream().map(e -> e.getString("delay_id")).toList();
        assertTrue(before.contains(leave), "the owner's own state change cancelled it: " + before);
        bob.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/org.example.status/" + shared,
                json("status", "bob was here")).assertStatus(200);
        eventually(() -> pending(alice).stream().noneMatch(e -> e.getString("delay_id").equals(leave)) ? true : null);
        action(alice, leave, "send").assertError(404, "M_NOT_FOUND");
        // Another key is untouched.
        assertTrue(pending(alice).stream().anyMatch(e -> e.getString("delay_id").equals(other)));
        action(alice, other, "cancel").assertStatus(200);
    }

    @Test
    void pendingEventsSurviveARestartAndDueOnesGoOutAtStart() throws Exception {
        var alice = user("alice");
        String room = createRoom(alice);
        String kept = delayedMessage(alice, room, "after-restart", 120_000);
        delayedMessage(alice, room, "due-while-down", 1000);
        String token = alice.accessToken();
        server.stop();
        Thread.sleep(1500);
        server.start();
        var again = new TestServer.User(server, alice.userId(), alice.deviceId(), token);
        eventually(() -> messages(again, room).contains("due-while-down") ? true : null);
        List<JsonObject> left = pending(again);
        assertEquals(1, left.size());
        assertEquals(kept, left.getFirst().getString("delay_id"));
        assertNotEquals(0, left.getFirst().getJsonNumber("running_since").longValue());
        action(again, kept, "send").assertStatus(200);
        assertTrue(messages(again, room).contains("after-restart"));
    }
}
