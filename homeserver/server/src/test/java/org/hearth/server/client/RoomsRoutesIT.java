package org.hearth.server.client;

import static org.hearth.server.client.RoomsHarness.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RoomsRoutesIT {
    @RegisterExtension
    static final RoomsHarness server = new RoomsHarness();

    private static Map<String, JsonObject> stateByKey(RoomsHarness.Client c, String room) {
        var res = c.get("/rooms/" + enc(room) + "/state").ok();
        Map<String, JsonObject> out = new HashMap<>();
        for (var v : Json.parse(res.body()).asJsonArray()) {
            JsonObject e = v.asJsonObject();
            out.put(e.getString("type") + "|" + e.getString("state_key"), e);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"private_chat", "trusted_private_chat", "public_chat"})
    void createRoomWithEachPreset(String preset) {
        var alice = server.user("alice");
        String room = alice.createRoom("""
                {"preset":"%s","name":"N","topic":"T","invite":["@bob:test.example"],"is_direct":true}""".formatted(preset));
        var state = stateByKey(alice, room);
        assertEquals(preset.equals("public_chat") ? "public" : "invite",
                state.get("m.room.join_rules|").getJsonObject("content").getString("join_rule"));
        assertEquals("shared", state.get("m.room.history_visibility|").getJsonObject("content").getString("history_visibility"));
        assertEquals(!preset.equals("public_chat"), state.containsKey("m.room.guest_access|"));
        assertEquals("N", state.get("m.room.name|").getJsonObject("content").getString("name"));
        JsonObject invite = state.get("m.room.member|@bob:test.example").getJsonObject("content");
        assertEquals("invite", invite.getString("membership"));
        assertTrue(invite.getBoolean("is_direct"));
        JsonObject create = state.get("m.room.create|").getJsonObject("content");
        assertEquals("12", create.getString("room_version"));
        assertFalse(create.containsKey("creator"));
        assertEquals(preset.equals("trusted_private_chat"), create.containsKey("additional_creators"));
        // Clients never see federation fields.
        JsonObject any = state.get("m.room.create|");
        for (String pduField : List.of("auth_events", "prev_events", "depth", "hashes", "signatures")) {
            assertFalse(any.containsKey(pduField), pduField);
        }
    }

    @Test
    void createRoomErrors() {
        var alice = server.user("alice");
        alice.post("/createRoom", "{\"room_version\":\"999\"}").assertError(400, "M_UNSUPPORTED_ROOM_VERSION");
        alice.post("/createRoom", "{\"invite\":\"@bob:test.example\"}").assertError(400, "M_BAD_JSON");
        alice.post("/createRoom", "not json").assertError(400, "M_NOT_JSON");
        alice.post("/createRoom", "{\"initial_state\":[{\"type\":1}]}").assertError(400, "M_BAD_JSON");
        alice.createRoom("{\"room_alias_name\":\"taken\"}");
        alice.post("/createRoom", "{\"room_alias_name\":\"taken\"}").assertError(400, "M_ROOM_IN_USE");
        // v12 creators cannot be listed in power levels: the initial state is invalid, and nothing is left behind.
        alice.post("/createRoom", "{\"power_level_content_override\":{\"users\":{\"@alice:test.example\":50}}}")
                .assertError(400, "M_INVALID_ROOM_STATE");
        server.user("nobody").post("/createRoom", "{}").ok();
        var older = alice.createRoom("{\"room_version\":\"10\"}");
        assertEquals("10", stateByKey(alice, older).get("m.room.create|").getJsonObject("content").getString("room_version"));
    }

    @Test
    void sendIsIdempotentPerDeviceAndTxnId() {
        var alice = server.user("alice");
        String room = alice.createRoom("{}");
        String path = "/rooms/" + enc(room) + "/send/m.room.message/txn1";
        String first = alice.put(path, "{\"body\":\"a\"}").ok().json().getString("event_id");
        String again = alice.put(path, "{\"body\":\"a\"}").ok().json().getString("event_id");
        assertEquals(first, again);
        String otherDevice = alice.device("OTHER").put(path, "{\"body\":\"a\"}").ok().json().getString("event_id");
        assertNotEquals(first, otherDevice);
        String otherRoom = alice.createRoom("{}");
        assertNotEquals(first, alice.put("/rooms/" + enc(otherRoom) + "/send/m.room.message/txn1", "{\"body\":\"a\"}")
                .ok().json().getString("event_id"));
        JsonObject event = alice.get("/rooms/" + enc(room) + "/event/" + enc(first)).ok().json();
        assertEquals("txn1", event.getJsonObject("unsigned").getString("transaction_id"));
        assertFalse(alice.device("OTHER").get("/rooms/" + enc(room) + "/event/" + enc(first)).ok().json()
                .getJsonObject("unsigned").containsKey("transaction_id"));
        var messages = alice.get("/rooms/" + enc(room) + "/messages?dir=b&limit=50").ok().json().getJsonArray("chunk");
        assertEquals(2, messages.stream().filter(v -> v.asJsonObject().getString("type").equals("m.room.message")).count());
    }

    @Test
    void stateGetAndPutWithPowerChecks() {
        var alice = server.user("alice");
        var bob = server.user("bob");
        String room = alice.createRoom("{\"preset\":\"public_chat\"}");
        String r = "/rooms/" + enc(room);
        alice.put(r + "/state/m.room.topic", "{\"topic\":\"one\"}").ok();
        alice.put(r + "/state/m.room.topic/", "{\"topic\":\"two\"}").ok();
        assertEquals("two", alice.get(r + "/state/m.room.topic").ok().json().getString("topic"));
        assertEquals("two", alice.get(r + "/state/m.room.topic/").ok().json().getString("topic"));
        JsonObject asEvent = alice.get(r + "/state/m.room.topic/?format=event").ok().json();
        assertEquals("m.room.topic", asEvent.getString("type"));
        assertEquals("one", asEvent.getJsonObject("unsigned").getJsonObject("prev_content").getString("topic"));
        alice.put(r + "/state/org.example.custom/key", "{\"x\":1}").ok();
        assertEquals(1, alice.get(r + "/state/org.example.custom/key").ok().json().getInt("x"));
        alice.get(r + "/state/m.room.avatar").assertError(404, "M_NOT_FOUND");

        bob.post("/join/" + enc(room), null).ok();
        bob.put(r + "/state/m.room.name", "{\"name\":\"mine\"}").assertError(403, "M_FORBIDDEN");
        bob.put(r + "/state/m.room.power_levels", "{}").assertError(403, "M_FORBIDDEN");
        bob.sendText(room, "members may talk");
        alice.put(r + "/state/m.room.name", "{\"name\":\"ok\"}").ok();
        alice.put(r + "/state/m.room.name", "[1]").assertError(400, "M_BAD_JSON");
    }

    @Test
    void unknownRoomIsNotFound() {
        var alice = server.user("alice");
        alice.get("/rooms/" + enc("!nope:test.example") + "/state").assertError(404, "M_NOT_FOUND");
        alice.put("/rooms/" + enc("!nope:test.example") + "/send/m.room.message/1", "{}").assertError(404, "M_NOT_FOUND");
        alice.post("/join/" + enc("#nope:test.example"), null).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void membershipLifecycle() {
        var alice = server.user("alice");
        var bob = server.user("bob2");
        var carol = server.user("carol");
        String room = alice.createRoom("{\"preset\":\"private_chat\"}");
        String r = "/rooms/" + enc(room);
        bob.post(r + "/join", null).assertError(403, "M_FORBIDDEN");
        alice.post(r + "/invite", "{\"user_id\":\"" + bob.userId + "\"}").ok();
        bob.post(r + "/join", "{}").ok();
        assertTrue(joinedRooms(bob).contains(room));
        alice.post(r + "/invite", "{\"user_id\":\"" + bob.userId + "\"}").assertError(403, "M_FORBIDDEN");
        // bob has power 0 and cannot kick or ban.
        bob.post(r + "/kick", "{\"user_id\":\"" + alice.userId + "\"}").assertError(403, "M_FORBIDDEN");
        JsonObject members = alice.get(r + "/joined_members").ok().json().getJsonObject("joined");
        assertEquals(Set.of(alice.userId, bob.userId), members.keySet());
        alice.post(r + "/kick", "{\"user_id\":\"" + bob.userId + "\",\"reason\":\"bye\"}").ok();
        assertFalse(joinedRooms(bob).contains(room));
        alice.post(r + "/ban", "{\"user_id\":\"" + bob.userId + "\"}").ok();
        alice.post(r + "/invite", "{\"user_id\":\"" + bob.userId + "\"}").assertError(403, "M_FORBIDDEN");
        var banned = alice.get(r + "/members?membership=ban").ok().json().getJsonArray("chunk");
        assertEquals(1, banned.size());
        assertEquals(bob.userId, banned.getJsonObject(0).getString("state_key"));
        assertEquals(1, alice.get(r + "/members?not_membership=ban").ok().json().getJsonArray("chunk").size());
        alice.post(r + "/unban", "{\"user_id\":\"" + bob.userId + "\"}").ok();
        alice.post(r + "/invite", "{\"user_id\":\"" + bob.userId + "\"}").ok();
        bob.post(r + "/leave", null).ok();
        bob.post(r + "/forget", null).ok();
        carol.post(r + "/forget", null).ok();
        alice.post(r + "/forget", null).assertError(400, "M_UNKNOWN");
        // A non-member cannot read members.
        carol.get(r + "/members").assertError(403, "M_FORBIDDEN");
        carol.get(r + "/joined_members").assertError(403, "M_FORBIDDEN");
        alice.post(r + "/leave", "{}").ok();
        assertFalse(joinedRooms(alice).contains(room));
    }

    @Test
    void knockWhereTheRoomAllowsIt() {
        var alice = server.user("alice");
        var dave = server.user("dave");
        String room = alice.createRoom("{\"initial_state\":[{\"type\":\"m.room.join_rules\",\"content\":{\"join_rule\":\"knock\"}}]}");
        dave.post("/knock/" + enc(room), "{\"reason\":\"let me in\"}").ok();
        String closed = alice.createRoom("{}");
        dave.post("/knock/" + enc(closed), "{}").assertError(403, "M_FORBIDDEN");
    }

    private static List<String> joinedRooms(RoomsHarness.Client c) {
        return c.get("/joined_rooms").ok().json().getJsonArray("joined_rooms").getValuesAs(JsonString.class)
                .stream().map(JsonString::getString).toList();
    }

    @Test
    void aliasesInTheDirectory() {
        var alice = server.user("alice");
        var bob = server.user("bob3");
        String room = alice.createRoom("{\"preset\":\"public_chat\",\"room_alias_name\":\"lobby\"}");
        assertEquals(room, alice.get("/directory/room/" + enc("#lobby:test.example")).ok().json().getString("room_id"));
        alice.put("/directory/room/" + enc("#second:test.example"), "{\"room_id\":\"" + room + "\"}").ok();
        alice.put("/directory/room/" + enc("#second:test.example"), "{\"room_id\":\"" + room + "\"}").assertError(409, "M_UNKNOWN");
        alice.put("/directory/room/" + enc("#x:elsewhere.example"), "{\"room_id\":\"" + room + "\"}").assertError(400, "M_INVALID_PARAM");
        bob.post("/join/" + enc("#second:test.example"), null).ok();
        var aliases = bob.get("/rooms/" + enc(room) + "/aliases").ok().json().getJsonArray("aliases");
        assertEquals(2, aliases.size());
        bob.delete("/directory/room/" + enc("#second:test.example")).assertError(403, "M_FORBIDDEN");
        alice.delete("/directory/room/" + enc("#second:test.example")).ok();
        alice.get("/directory/room/" + enc("#second:test.example")).assertError(404, "M_NOT_FOUND");
        assertEquals("#lobby:test.example", alice.get("/rooms/" + enc(room) + "/state/m.room.canonical_alias").ok()
                .json().getString("alias"));
    }

    @Test
    void messagesPaginateBothWaysWithoutGapsOrDuplicates() {
        var alice = server.user("alice");
        String room = alice.createRoom("{}");
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add(alice.sendText(room, "m" + i));
        }
        String r = "/rooms/" + enc(room) + "/messages";
        String filter = enc("{\"types\":[\"m.room.message\"]}");
        // Backwards from the end, 30 at a time.
        List<String> back = new ArrayList<>();
        String from = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonObject page = alice.get(r + "?dir=b&limit=30&filter=" + filter + (from == null ? "" : "&from=" + from)).ok().json();
            page.getJsonArray("chunk").forEach(v -> back.add(v.asJsonObject().getString("event_id")));
            if (!page.containsKey("end")) {
                break;
            }
            from = page.getString("end");
        }
        List<String> reversed = new ArrayList<>(sent);
        java.util.Collections.reverse(reversed);
        assertEquals(reversed, back);
        // Forwards from the start, 17 at a time.
        List<String> forward = new ArrayList<>();
        from = null;
        for (int pages = 0; pages < 100; pages++) {
            JsonObject page = alice.get(r + "?dir=f&limit=17&filter=" + filter + (from == null ? "" : "&from=" + from)).ok().json();
            page.getJsonArray("chunk").forEach(v -> forward.add(v.asJsonObject().getString("event_id")));
            if (!page.containsKey("end")) {
                break;
            }
            from = page.getString("end");
        }
        assertEquals(sent, forward);
        assertEquals(new HashSet<>(sent).size(), sent.size());
        // Unfiltered, the room's state events come too, and lazy loading adds the senders' member events.
        JsonObject lazy = alice.get(r + "?dir=b&limit=5&filter=" + enc("{\"lazy_load_members\":true}")).ok().json();
        assertEquals(alice.userId, lazy.getJsonArray("state").getJsonObject(0).getString("state_key"));
        alice.get(r + "?dir=x").assertError(400, "M_INVALID_PARAM");
        alice.get(r + "?from=bogus").assertError(400, "M_INVALID_PARAM");
        JsonObject context = alice.get("/rooms/" + enc(room) + "/context/" + enc(sent.get(100)) + "?limit=4").ok().json();
        assertEquals(sent.get(99), context.getJsonArray("events_before").getJsonObject(0).getString("event_id"));
        assertEquals(sent.get(101), context.getJsonArray("events_after").getJsonObject(0).getString("event_id"));
    }

    @Test
    void nonMembersCannotReadEventsStateOrMessages() {
        var alice = server.user("alice");
        var eve = server.user("eve");
        String room = alice.createRoom("{\"preset\":\"public_chat\"}");
        String secret = alice.sendText(room, "before eve");
        String r = "/rooms/" + enc(room);
        eve.get(r + "/event/" + enc(secret)).assertError(404, "M_NOT_FOUND");
        eve.get(r + "/state").assertError(403, "M_FORBIDDEN");
        eve.get(r + "/state/m.room.name").assertError(403, "M_FORBIDDEN");
        eve.get(r + "/messages?dir=b").assertError(403, "M_FORBIDDEN");
        eve.put(r + "/send/m.room.message/1", "{\"body\":\"x\"}").assertError(403, "M_FORBIDDEN");

        // "joined" visibility: a later joiner does not see what came before their join.
        alice.put(r + "/state/m.room.history_visibility", "{\"history_visibility\":\"joined\"}").ok();
        String hidden = alice.sendText(room, "hidden from eve");
        eve.post(r + "/join", null).ok();
        String seen = alice.sendText(room, "eve sees this");
        eve.get(r + "/event/" + enc(hidden)).assertError(404, "M_NOT_FOUND");
        eve.get(r + "/event/" + enc(seen)).ok();
        List<String> eveSees = new ArrayList<>();
        eve.get(r + "/messages?dir=b&limit=100").ok().json().getJsonArray("chunk")
                .forEach(v -> eveSees.add(v.asJsonObject().getString("event_id")));
        assertTrue(eveSees.contains(seen));
        assertFalse(eveSees.contains(hidden));
        // "shared": history is visible to members (eve is joined now).
        assertTrue(eveSees.size() >= 2);
        // After leaving, eve keeps the state as of her leave, and sees nothing sent later.
        eve.post(r + "/leave", null).ok();
        String after = alice.sendText(room, "after eve left");
        alice.put(r + "/state/m.room.topic", "{\"topic\":\"later\"}").ok();
        eve.get(r + "/event/" + enc(after)).assertError(404, "M_NOT_FOUND");
        eve.get(r + "/state/m.room.topic").assertError(404, "M_NOT_FOUND");
        eve.get(r + "/state").ok();

        // world_readable: anyone may read.
        String open = alice.createRoom("{\"preset\":\"public_chat\",\"initial_state\":[{\"type\":\"m.room.history_visibility\",\"content\":{\"history_visibility\":\"world_readable\"}}]}");
        String pub = alice.sendText(open, "for all");
        var stranger = server.user("stranger");
        stranger.get("/rooms/" + enc(open) + "/event/" + enc(pub)).ok();
        stranger.get("/rooms/" + enc(open) + "/state").ok();
        stranger.get("/rooms/" + enc(open) + "/messages?dir=b").ok();
    }

    @Test
    void redactionIsVisibleToClients() {
        var alice = server.user("alice");
        var bob = server.user("bob4");
        String room = alice.createRoom("{\"preset\":\"public_chat\"}");
        String r = "/rooms/" + enc(room);
        bob.post(r + "/join", null).ok();
        String msg = alice.sendText(room, "oops");
        bob.put(r + "/redact/" + enc(msg) + "/x1", "{}").assertError(403, "M_FORBIDDEN");
        String redaction = alice.put(r + "/redact/" + enc(msg) + "/x1", "{\"reason\":\"typo\"}").ok().json().getString("event_id");
        assertEquals(redaction, alice.put(r + "/redact/" + enc(msg) + "/x1", "{\"reason\":\"typo\"}").ok().json().getString("event_id"));
        JsonObject event = bob.get(r + "/event/" + enc(msg)).ok().json();
        assertEquals(0, event.getJsonObject("content").size());
        JsonObject because = event.getJsonObject("unsigned").getJsonObject("redacted_because");
        assertEquals(redaction, because.getString("event_id"));
        assertEquals("typo", because.getJsonObject("content").getString("reason"));
        JsonArray chunk = bob.get(r + "/messages?dir=b&limit=3").ok().json().getJsonArray("chunk");
        JsonObject inTimeline = chunk.stream().map(v -> v.asJsonObject()).filter(e -> e.getString("event_id").equals(msg))
                .findFirst().orElseThrow();
        assertEquals(0, inTimeline.getJsonObject("content").size());
        assertEquals(msg, chunk.getJsonObject(0).getString("redacts"));
    }

    @Test
    void wrongMethodOnARoomEndpointIs405() {
        var alice = server.user("alice");
        String room = alice.createRoom("{}");
        alice.get("/rooms/" + enc(room) + "/send/m.room.message/1").assertError(405, "M_UNRECOGNIZED");
        alice.delete("/rooms/" + enc(room) + "/state").assertError(405, "M_UNRECOGNIZED");
        alice.get("/createRoom").assertError(405, "M_UNRECOGNIZED");
        alice.post("/joined_rooms", "{}").assertError(405, "M_UNRECOGNIZED");
        alice.post("/directory/room/" + enc("#a:test.example"), "{}").assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void r0PathsWork() {
        var alice = server.user("alice");
        String room = alice.post("/_matrix/client/r0/createRoom", "{}").ok().json().getString("room_id");
        alice.get("/_matrix/client/r0/rooms/" + enc(room) + "/state").ok();
    }
}
