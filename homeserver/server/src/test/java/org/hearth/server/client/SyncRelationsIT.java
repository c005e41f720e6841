package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bundled aggregations in the /sync timeline, and the v1 relation routes on the whole server. */
class SyncRelationsIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final String V3 = "/_matrix/client/v3";

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String send(TestServer.User u, String room, String txn, JsonObject content) {
        return u.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/" + txn, content).assertStatus(200).json()
                .getString("event_id");
    }

    private static JsonObject inTimeline(JsonObject sync, String room, String eventId) {
        return sync.getJsonObject("rooms").getJsonObject("join").getJsonObject(room).getJsonObject("timeline")
                .getJsonArray("events").stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("event_id").equals(eventId)).findFirst().orElseThrow();
    }

    @Test
    void syncTimelineCarriesEditsAndThreadSummaries() {
        var alice = server.register("syncrel");
        String room = alice.post(V3 + "/createRoom", json("name", "R")).assertStatus(200).json().getString("room_id");
        String root = send(alice, room, "t1", json("msgtype", "m.text", "body", "root"));
        String edit = send(alice, room, "t2", json("msgtype", "m.text", "body", "* root!",
                "m.new_content", json("msgtype", "m.text", "body", "root!"),
                "m.relates_to", json("rel_type", "m.replace", "event_id", root)));
        String reply = send(alice, room, "t3", json("msgtype", "m.text", "body", "in thread",
                "m.relates_to", json("rel_type", "m.thread", "event_id", root)));

        JsonObject sync = alice.get(V3 + "/sync?filter=" + enc("{\"room\":{\"timeline\":{\"limit\":20}}}"))
                .assertStatus(200).json();
        JsonObject rootEvent = inTimeline(sync, room, root);
        JsonObject relations = rootEvent.getJsonObject("unsigned").getJsonObject("m.relations");
        assertEquals(edit, relations.getJsonObject("m.replace").getString("event_id"));
        assertEquals("root", rootEvent.getJsonObject("content").getString("body"), "content is never replaced");
        JsonObject thread = relations.getJsonObject("m.thread");
        assertEquals(1, thread.getInt("count"));
        assertTrue(thread.getBoolean("current_user_participated"));
        JsonObject latest = thread.getJsonObject("latest_event");
        assertEquals(reply, latest.getString("event_id"));
        // Timeline events are ClientEventWithoutRoomID; the edit and the reply carry no aggregation of their own.
        assertFalse(rootEvent.containsKey("room_id"));
        assertFalse(inTimeline(sync, room, edit).getJsonObject("unsigned").containsKey("m.relations"));

        // The v1 routes answer on the real server, with its access tokens.
        var page = alice.get("/_matrix/client/v1/rooms/" + enc(room) + "/relations/" + enc(root)).assertStatus(200).json();
        assertEquals(2, page.getJsonArray("chunk").size());
        alice.get("/_matrix/client/v1/rooms/" + enc(room) + "/threads").assertStatus(200);
        alice.get("/_matrix/client/v1/rooms/" + enc(room) + "/hierarchy").assertStatus(200);
        alice.post(V3 + "/search", json("search_categories", json("room_events", json("search_term", "thread"))))
                .assertStatus(200);
        alice.post("/_matrix/client/r0/search", json("search_categories", json("room_events", json("search_term", "x"))))
                .assertStatus(200);
        server.client("GET", "/_matrix/client/v1/rooms/" + enc(room) + "/threads").assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void anEditAfterTheRoomWasSyncedIsBundledOnTheNextSync() {
        var bob = server.register("syncrel2");
        String room = bob.post(V3 + "/createRoom", json("name", "R2")).assertStatus(200).json().getString("room_id");
        String root = send(bob, room, "u1", json("msgtype", "m.text", "body", "first"));
        String filter = enc("{\"room\":{\"timeline\":{\"limit\":20}}}");
        // This sync learns that nothing in the room has relations yet; the edit below must still be seen.
        JsonObject before = bob.get(V3 + "/sync?filter=" + filter).assertStatus(200).json();
        assertFalse(inTimeline(before, room, root).getJsonObject("unsigned").containsKey("m.relations"));
        String edit = send(bob, room, "u2", json("msgtype", "m.text", "body", "* first!",
                "m.new_content", json("msgtype", "m.text", "body", "first!"),
                "m.relates_to", json("rel_type", "m.replace", "event_id", root)));

        JsonObject after = bob.get(V3 + "/sync?filter=" + filter).assertStatus(200).json();
        assertEquals(edit, inTimeline(after, room, root).getJsonObject("unsigned").getJsonObject("m.relations")
                .getJsonObject("m.replace").getString("event_id"));
    }
}
