package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** /sync with the room engine: timelines, state, invites, ephemeral events and room account data over HTTP. */
class SyncRoomsIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();
    private static final String V3 = "/_matrix/client/v3";

    private static TestServer.User newUser() {
        return server.register("r" + N.incrementAndGet() + "y" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> types(JsonObject section) {
        return section.getJsonArray("events").stream().map(v -> v.asJsonObject().getString("type")).toList();
    }

    private static String createRoom(TestServer.User user) {
        return user.post(V3 + "/createRoom", json("name", "Den")).assertStatus(200).json().getString("room_id");
    }

    private static JsonObject joined(JsonObject sync, String roomId) {
        return sync.getJsonObject("rooms").getJsonObject("join").getJsonObject(roomId);
    }

    @Test
    void initialSyncHasTheCreatedRoomWithStateAndTimeline() {
        var alice = newUser();
        String roomId = createRoom(alice);
        var room = joined(alice.get(V3 + "/sync").assertStatus(200).json(), roomId);
        assertNotNull(room, "room in rooms.join");
        var all = new java.util.ArrayList<>(types(room.getJsonObject("state")));
        all.addAll(types(room.getJsonObject("timeline")));
        assertTrue(all.containsAll(List.of("m.room.create", "m.room.member", "m.room.power_levels", "m.room.name")), all.toString());
        assertTrue(room.getJsonObject("timeline").containsKey("prev_batch"));
        assertEquals(1, room.getJsonObject("summary").getInt("m.joined_member_count"));
        for (var e : room.getJsonObject("timeline").getJsonArray("events")) {
            assertFalse(e.asJsonObject().containsKey("room_id"), "ClientEventWithoutRoomID");
        }
    }

    @Test
    void waitingSyncReturnsTheNewMessageWithinMilliseconds() throws Exception {
        var alice = newUser();
        String roomId = createRoom(alice);
        String since = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        var sent = new AtomicLong();
        var sender = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            alice.put(V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t1", json("msgtype", "m.text", "body", "hello"))
                    .assertStatus(200);
            sent.set(System.nanoTime());
        });
        long start = System.nanoTime();
        var body = alice.get(V3 + "/sync?timeout=20000&since=" + since).assertStatus(200).json();
        long answered = System.nanoTime();
        sender.join();
        var timeline = joined(body, roomId).getJsonObject("timeline");
        assertEquals(List.of("m.room.message"), types(timeline));
        var event = timeline.getJsonArray("events").getJsonObject(0);
        assertEquals("hello", event.getJsonObject("content").getString("body"));
        assertEquals("t1", event.getJsonObject("unsigned").getString("transaction_id"), "the sending device sees its txn ID");
        assertFalse(timeline.getBoolean("limited"));
        assertTrue((answered - start) / 1_000_000 < 3_000);
        System.out.printf("sync answered %.1f ms after the send's 200 (long-poll over HTTP)%n", (answered - sent.get()) / 1e6);
    }

    @Test
    void inviteThenJoinThenTypingReceiptsTagsAndPresence() throws Exception {
        var alice = newUser();
        var bob = newUser();
        String roomId = createRoom(alice);
        String bobSince = bob.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");

        alice.post(V3 + "/rooms/" + enc(roomId) + "/invite", json("user_id", bob.userId())).assertStatus(200);
        var invited = bob.get(V3 + "/sync?timeout=5000&since=" + bobSince).assertStatus(200).json();
        var invite = invited.getJsonObject("rooms").getJsonObject("invite").getJsonObject(roomId);
        assertNotNull(invite, invited.toString());
        assertTrue(types(invite.getJsonObject("invite_state")).contains("m.room.member"));
        assertTrue(types(invite.getJsonObject("invite_state")).contains("m.room.name"));

        bob.post(V3 + "/rooms/" + enc(roomId) + "/join", json()).assertStatus(200);
        var afterJoin = bob.get(V3 + "/sync?since=" + invited.getString("next_batch")).assertStatus(200).json();
        assertNotNull(joined(afterJoin, roomId), "newly joined room in rooms.join");
        String since = afterJoin.getString("next_batch");
        String aliceSince = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");

        String eventId = alice.put(V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/t2", json("msgtype", "m.text", "body", "hi"))
                .assertStatus(200).json().getString("event_id");
        alice.put(V3 + "/rooms/" + enc(roomId) + "/typing/" + enc(alice.userId()), json("typing", true, "timeout", 10000))
                .assertStatus(200);
        bob.post(V3 + "/rooms/" + enc(roomId) + "/receipt/m.read/" + enc(eventId), json()).assertStatus(200);
        bob.post(V3 + "/rooms/" + enc(roomId) + "/read_markers", json("m.fully_read", eventId, "m.read.private", eventId))
                .assertStatus(200);
        bob.put(V3 + "/user/" + enc(bob.userId()) + "/rooms/" + enc(roomId) + "/tags/m.favourite", json())
                .assertStatus(200);
        alice.put(V3 + "/presence/" + enc(alice.userId()) + "/status", json("presence", "unavailable", "status_msg", "tea"))
                .assertStatus(200);

        var bobSync = bob.get(V3 + "/sync?set_presence=offline&since=" + since).assertStatus(200).json();
        var room = joined(bobSync, roomId);
        assertEquals(List.of("m.room.message"), types(room.getJsonObject("timeline")));
        var ephemeral = room.getJsonObject("ephemeral").getJsonArray("events");
        var typing = ephemeral.stream().map(JsonValue::asJsonObject).filter(e -> e.getString("type").equals("m.typing")).findFirst().orElseThrow();
        assertEquals(List.of(alice.userId()), typing.getJsonObject("content").getJsonArray("user_ids").getValuesAs(jakarta.json.JsonString.class)
                .stream().map(jakarta.json.JsonString::getString).toList());
        var receipt = ephemeral.stream().map(JsonValue::asJsonObject).filter(e -> e.getString("type").equals("m.receipt")).findFirst().orElseThrow();
        var onEvent = receipt.getJsonObject("content").getJsonObject(eventId);
        assertTrue(onEvent.getJsonObject("m.read").containsKey(bob.userId()));
        assertTrue(onEvent.getJsonObject("m.read.private").containsKey(bob.userId()));
        assertTrue(types(room.getJsonObject("account_data")).containsAll(List.of("m.tag", "m.fully_read")));
        var alicePresence = bobSync.getJsonObject("presence").getJsonArray("events").stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("sender").equals(alice.userId())).findFirst().orElseThrow();
        assertEquals("tea", alicePresence.getJsonObject("content").getString("status_msg"));
        assertEquals("unavailable", bob.get(V3 + "/presence/" + enc(alice.userId()) + "/status").assertStatus(200).json()
                .getString("presence"));

        var aliceRoom = joined(alice.get(V3 + "/sync?set_presence=offline&since=" + aliceSince).assertStatus(200).json(), roomId);
        var aliceReceipt = aliceRoom.getJsonObject("ephemeral").getJsonArray("events").stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("type").equals("m.receipt")).findFirst().orElseThrow();
        assertFalse(aliceReceipt.getJsonObject("content").getJsonObject(eventId).containsKey("m.read.private"),
                "bob's private receipt stays bob's");
        assertFalse(types(aliceRoom.getJsonObject("account_data")).contains("m.tag"), "bob's tags stay bob's");
    }

    @Test
    void timelineLimitAndLeave() {
        var alice = newUser();
        String roomId = createRoom(alice);
        String since = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        for (int i = 0; i < 5; i++) {
            alice.put(V3 + "/rooms/" + enc(roomId) + "/send/m.room.message/l" + i, json("msgtype", "m.text", "body", "n" + i))
                    .assertStatus(200);
        }
        String filter = enc("{\"room\": {\"timeline\": {\"limit\": 2}}}");
        var timeline = joined(alice.get(V3 + "/sync?filter=" + filter + "&since=" + since).assertStatus(200).json(), roomId)
                .getJsonObject("timeline");
        assertTrue(timeline.getBoolean("limited"));
        assertEquals(List.of("n3", "n4"), timeline.getJsonArray("events").stream()
                .map(e -> e.asJsonObject().getJsonObject("content").getString("body")).toList());
        // The room's pagination continues from prev_batch.
        var older = alice.get(V3 + "/rooms/" + enc(roomId) + "/messages?dir=b&limit=1&from=" + timeline.getString("prev_batch"))
                .assertStatus(200).json();
        assertEquals("n2", older.getJsonArray("chunk").getJsonObject(0).getJsonObject("content").getString("body"));

        String before = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        alice.post(V3 + "/rooms/" + enc(roomId) + "/leave", json()).assertStatus(200);
        var left = alice.get(V3 + "/sync?since=" + before).assertStatus(200).json();
        assertNotNull(left.getJsonObject("rooms").getJsonObject("leave").getJsonObject(roomId), left.toString());
        assertEquals(null, joined(left, roomId));
    }

    @Test
    void aNewDeviceOfSomeoneInYourRoomIsInDeviceListsChanged() {
        var alice = newUser();
        var bob = newUser();
        String roomId = createRoom(alice);
        alice.post(V3 + "/rooms/" + enc(roomId) + "/invite", json("user_id", bob.userId())).assertStatus(200);
        bob.post(V3 + "/rooms/" + enc(roomId) + "/join", json()).assertStatus(200);
        String since = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        server.login(bob.localpart(), TestServer.DEFAULT_PASSWORD);
        var changed = alice.get(V3 + "/sync?timeout=5000&since=" + since).assertStatus(200).json()
                .getJsonObject("device_lists").getJsonArray("changed");
        assertEquals(List.of(bob.userId()), changed.getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList());
    }
}
