package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The deprecated /initialSync, /events, /events/{eventId} and /rooms/{roomId}/initialSync over real HTTP. */
class LegacySyncRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String createRoom(TestServer.User user, JsonObject body) {
        return user.post("/_matrix/client/v3/createRoom", body).assertStatus(200).json().getString("room_id");
    }

    private static String say(TestServer.User user, String room, String text) {
        return user.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/" + System.nanoTime(),
                json("msgtype", "m.text", "body", text)).assertStatus(200).json().getString("event_id");
    }

    private static JsonObject roomInfo(JsonObject initialSync, String room) {
        return initialSync.getJsonArray("rooms").stream().map(JsonValue::asJsonObject)
                .filter(r -> r.getString("room_id").equals(room)).findFirst()
                .orElseThrow(() -> new AssertionError(room + " not in " + initialSync));
    }

    private static List<String> bodies(JsonArray events) {
        return events.stream().map(JsonValue::asJsonObject).filter(e -> e.getString("type").equals("m.room.message"))
                .map(e -> e.getJsonObject("content").getString("body")).toList();
    }

    @Test
    void initialSyncListsJoinedAndInvitedRoomsInTheOldShape() {
        var alice = server.register("alice1");
        var bob = server.register("bob1");
        String room = createRoom(alice, json("name", "old school"));
        for (int i = 1; i <= 4; i++) {
            say(alice, room, "m" + i);
        }
        alice.put("/_matrix/client/v3/user/" + enc(alice.userId()) + "/rooms/" + enc(room) + "/tags/work",
                jakarta.json.Json.createObjectBuilder().add("order", 0.5).build()).assertStatus(200);
        alice.post("/_matrix/client/v3/rooms/" + enc(room) + "/invite", json("user_id", bob.userId())).assertStatus(200);

        JsonObject all = alice.get("/_matrix/client/v3/initialSync?limit=3").assertStatus(200).json();
        assertTrue(all.getString("end").startsWith("s"), all.toString());
        assertTrue(all.containsKey("presence"));
        JsonObject info = roomInfo(all, room);
        assertEquals("join", info.getString("membership"));
        assertEquals("private", info.getString("visibility"));
        JsonArray chunk = info.getJsonObject("messages").getJsonArray("chunk");
        assertEquals(List.of("m3", "m4"), bodies(chunk));
        chunk.forEach(e -> assertEquals(room, e.asJsonObject().getString("room_id")));
        // Current state: the name and bob's invite, which came after the timeline's messages.
        List<String> stateKeys = info.getJsonArray("state").stream().map(JsonValue::asJsonObject)
                .map(e -> e.getString("type") + "|" + e.getString("state_key")).toList();
        assertTrue(stateKeys.contains("m.room.create|"), stateKeys.toString());
        assertTrue(stateKeys.contains("m.room.name|"), stateKeys.toString());
        assertTrue(stateKeys.contains("m.room.member|" + bob.userId()), stateKeys.toString());
        assertTrue(info.getJsonArray("account_data").toString().contains("\"m.tag\""), info.toString());
        // messages.start pages on with /messages.
        String start = info.getJsonObject("messages").getString("start");
        JsonObject older = alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=2&from=" + enc(start))
                .assertStatus(200).json();
        assertEquals(List.of("m2", "m1"), bodies(older.getJsonArray("chunk")));

        JsonObject bobs = bob.get("/_matrix/client/r0/initialSync").assertStatus(200).json();
        JsonObject invited = roomInfo(bobs, room);
        assertEquals("invite", invited.getString("membership"));
        assertEquals("invite", invited.getJsonObject("invite").getJsonObject("content").getString("membership"));
        assertFalse(bobs.toString().contains("\"m3\""), "an invitee sees no messages");

        alice.get("/_matrix/client/v3/initialSync?limit=-1").assertError(400, "M_INVALID_PARAM");
        alice.get("/_matrix/client/v3/initialSync?archived=maybe").assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void archivedAddsRoomsTheUserLeft() {
        var alice = server.register("alice2");
        var bob = server.register("bob2");
        String room = createRoom(alice, json("preset", "public_chat"));
        bob.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        say(alice, room, "while bob was here");
        bob.post("/_matrix/client/v3/rooms/" + enc(room) + "/leave", json()).assertStatus(200);
        say(alice, room, "after bob left");

        JsonObject current = bob.get("/_matrix/client/v3/initialSync").assertStatus(200).json();
        assertFalse(current.toString().contains(room), current.toString());
        JsonObject archived = bob.get("/_matrix/client/v3/initialSync?archived=true").assertStatus(200).json();
        JsonObject info = roomInfo(archived, room);
        assertEquals("leave", info.getString("membership"));
        List<String> seen = bodies(info.getJsonObject("messages").getJsonArray("chunk"));
        assertTrue(seen.contains("while bob was here"), seen.toString());
        assertFalse(seen.contains("after bob left"), seen.toString());

        JsonObject one = bob.get("/_matrix/client/v3/rooms/" + enc(room) + "/initialSync").assertStatus(200).json();
        assertEquals("leave", one.getString("membership"));
        assertFalse(bodies(one.getJsonObject("messages").getJsonArray("chunk")).contains("after bob left"));
    }

    @Test
    void eventsStreamsNewEventsFromAToken() throws Exception {
        var alice = server.register("alice3");
        String room = createRoom(alice, json());
        String end = alice.get("/_matrix/client/v3/initialSync?limit=1").assertStatus(200).json().getString("end");
        String sent = say(alice, room, "new since then");
        JsonObject next = alice.get("/_matrix/client/v3/events?timeout=0&from=" + enc(end)).assertStatus(200).json();
        assertEquals(end, next.getString("start"));
        JsonObject event = next.getJsonArray("chunk").stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("event_id", "").equals(sent)).findFirst().orElseThrow(() -> new AssertionError(next.toString()));
        assertEquals(room, event.getString("room_id"));

        // A long-poll from the newest token returns when the next message arrives.
        String from = next.getString("end");
        CompletableFuture<JsonObject> waiting = CompletableFuture.supplyAsync(() ->
                alice.get("/_matrix/client/v3/events?timeout=20000&from=" + enc(from)).assertStatus(200).json());
        Thread.sleep(300);
        String later = say(alice, room, "woke you");
        JsonObject woke = waiting.get(30, TimeUnit.SECONDS);
        assertTrue(woke.getJsonArray("chunk").toString().contains(later), woke.toString());
        // Filtered to one room with room_id.
        String other = createRoom(alice, json());
        say(alice, other, "elsewhere");
        JsonObject onlyRoom = alice.get("/_matrix/client/v3/events?timeout=0&room_id=" + enc(room) + "&from=" + enc(from))
                .assertStatus(200).json();
        assertFalse(onlyRoom.toString().contains("elsewhere"), onlyRoom.toString());

        alice.get("/_matrix/client/v3/events?from=nonsense").assertError(400, "M_INVALID_PARAM");
        alice.get("/_matrix/client/v3/events?timeout=-5").assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void oneEventByIdOnlyForThoseWhoMaySeeIt() {
        var alice = server.register("alice4");
        var eve = server.register("eve4");
        String room = createRoom(alice, json());
        String secret = say(alice, room, "secret");
        JsonObject event = alice.get("/_matrix/client/v3/events/" + enc(secret)).assertStatus(200).json();
        assertEquals(room, event.getString("room_id"));
        assertEquals("secret", event.getJsonObject("content").getString("body"));
        eve.get("/_matrix/client/v3/events/" + enc(secret)).assertError(404, "M_NOT_FOUND");
        eve.get("/_matrix/client/v3/events/" + enc("$nope")).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void roomInitialSyncForMembersAndPeekersOfWorldReadableRoomsOnly() {
        var alice = server.register("alice5");
        var eve = server.register("eve5");
        String closed = createRoom(alice, json());
        say(alice, closed, "members only");
        JsonObject mine = alice.get("/_matrix/client/v3/rooms/" + enc(closed) + "/initialSync").assertStatus(200).json();
        assertEquals("join", mine.getString("membership"));
        assertEquals(List.of("members only"), bodies(mine.getJsonObject("messages").getJsonArray("chunk")));
        eve.get("/_matrix/client/v3/rooms/" + enc(closed) + "/initialSync").assertError(403, "M_FORBIDDEN");
        eve.get("/_matrix/client/v3/rooms/" + enc("!unknown:nowhere") + "/initialSync").assertError(404, "M_NOT_FOUND");

        String open = createRoom(alice, json("preset", "public_chat", "initial_state", jakarta.json.Json.createArrayBuilder()
                .add(json("type", "m.room.history_visibility", "content", json("history_visibility", "world_readable")))));
        for (int i = 0; i < 12; i++) {
            say(alice, open, "open " + i);
        }
        JsonObject peek = eve.get("/_matrix/client/v3/rooms/" + enc(open) + "/initialSync?limit=3").assertStatus(200).json();
        assertEquals("leave", peek.getString("membership"));
        assertEquals(List.of("open 9", "open 10", "open 11"), bodies(peek.getJsonObject("messages").getJsonArray("chunk")));
        assertTrue(peek.getJsonArray("state").toString().contains("world_readable"));
        String start = peek.getJsonObject("messages").getString("start");
        JsonObject older = eve.get("/_matrix/client/v3/rooms/" + enc(open) + "/messages?dir=b&limit=2&from=" + enc(start))
                .assertStatus(200).json();
        assertEquals(List.of("open 8", "open 7"), bodies(older.getJsonArray("chunk")));
    }

    @Test
    void aNonMemberPeeksIntoAWorldReadableRoomThroughEvents() throws Exception {
        var alice = server.register("alice6");
        var eve = server.register("eve6");
        String open = createRoom(alice, json("preset", "public_chat", "initial_state", jakarta.json.Json.createArrayBuilder()
                .add(json("type", "m.room.history_visibility", "content", json("history_visibility", "world_readable")))));
        String closed = createRoom(alice, json());
        // matrix-js-sdk's peekInRoom: /rooms/{id}/initialSync, then /events?room_id= without a token, then with end.
        JsonObject first = eve.get("/_matrix/client/v3/events?timeout=0&room_id=" + enc(open)).assertStatus(200).json();
        assertEquals(0, first.getJsonArray("chunk").size(), first.toString());
        String from = first.getString("end");
        CompletableFuture<JsonObject> waiting = CompletableFuture.supplyAsync(() ->
                eve.get("/_matrix/client/v3/events?timeout=20000&room_id=" + enc(open) + "&from=" + enc(from))
                        .assertStatus(200).json());
        Thread.sleep(300);
        String said = say(alice, open, "for the peekers");
        JsonObject woke = waiting.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("for the peekers"), bodies(woke.getJsonArray("chunk")));
        assertEquals(said, woke.getJsonArray("chunk").getJsonObject(0).getString("event_id"));
        assertEquals(open, woke.getJsonArray("chunk").getJsonObject(0).getString("room_id"));
        JsonObject nothingNew = eve.get("/_matrix/client/v3/events?timeout=0&room_id=" + enc(open) + "&from="
                + enc(woke.getString("end"))).assertStatus(200).json();
        assertEquals(0, nothingNew.getJsonArray("chunk").size(), nothingNew.toString());

        eve.get("/_matrix/client/v3/events?timeout=0&room_id=" + enc(closed)).assertError(403, "M_FORBIDDEN");
        eve.get("/_matrix/client/v3/events?timeout=0&room_id=" + enc("!nope:nowhere")).assertError(404, "M_NOT_FOUND");
    }
}
