package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /v1/room_summary/{roomIdOrAlias} and GET /v1/rooms/{roomId}/timestamp_to_event. */
class RoomSummaryRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String create(TestServer.User user, JsonObject body) {
        return user.post("/_matrix/client/v3/createRoom", body).assertStatus(200).json().getString("room_id");
    }

    private static String summaryPath(String roomOrAlias) {
        return "/_matrix/client/v1/room_summary/" + enc(roomOrAlias);
    }

    @Test
    void publicRoomSummaryIsOpenToAnyoneAndCarriesTheMembership() {
        var alice = server.register("rs_alice");
        var bob = server.register("rs_bob");
        String room = create(alice, json("preset", "public_chat", "name", "Summary", "topic", "About summaries",
                "room_alias_name", "summary", "creation_content", json("type", "m.space"),
                "initial_state", Json.arrayBuilder().add(json("type", "m.room.encryption",
                        "content", json("algorithm", "m.megolm.v1.aes-sha2")))));
        JsonObject anonymous = server.client("GET", summaryPath(room)).assertStatus(200).json();
        assertEquals(room, anonymous.getString("room_id"));
        assertEquals("Summary", anonymous.getString("name"));
        assertEquals("About summaries", anonymous.getString("topic"));
        assertEquals("#summary:" + server.serverName(), anonymous.getString("canonical_alias"));
        assertEquals(1, anonymous.getInt("num_joined_members"));
        assertEquals("public", anonymous.getString("join_rule"));
        assertEquals("m.space", anonymous.getString("room_type"));
        assertEquals("m.megolm.v1.aes-sha2", anonymous.getString("encryption"));
        assertEquals("12", anonymous.getString("room_version"));
        assertFalse(anonymous.getBoolean("world_readable"));
        assertFalse(anonymous.getBoolean("guest_can_join"));
        assertFalse(anonymous.containsKey("membership"));

        assertEquals("join", alice.get(summaryPath(room)).assertStatus(200).json().getString("membership"));
        assertEquals("leave", bob.get(summaryPath(room)).assertStatus(200).json().getString("membership"));
        // By alias too.
        assertEquals(room, bob.get(summaryPath("#summary:" + server.serverName())).assertStatus(200).json()
                .getString("room_id"));
    }

    @Test
    void privateRoomsAreVisibleToMembersAndInviteesOnly() {
        var carol = server.register("rs_carol");
        var dan = server.register("rs_dan");
        var eve = server.register("rs_eve");
        String room = create(carol, json("preset", "private_chat", "name", "Private"));
        eve.get(summaryPath(room)).assertError(404, "M_NOT_FOUND");
        server.client("GET", summaryPath(room)).assertError(404, "M_NOT_FOUND");
        carol.post("/_matrix/client/v3/rooms/" + enc(room) + "/invite", json("user_id", dan.userId())).assertStatus(200);
        JsonObject invited = dan.get(summaryPath(room)).assertStatus(200).json();
        assertEquals("invite", invited.getString("membership"));
        assertEquals("Private", invited.getString("name"));
        assertEquals("invite", invited.getString("join_rule"));

        // Restricted: members of an allowed room may see it.
        String space = create(carol, json("preset", "private_chat"));
        String restricted = create(carol, json("preset", "private_chat", "initial_state", Json.arrayBuilder().add(
                json("type", "m.room.join_rules", "content", json("join_rule", "restricted", "allow",
                        Json.arrayBuilder().add(json("type", "m.room_membership", "room_id", space)))))));
        dan.get(summaryPath(restricted)).assertError(404, "M_NOT_FOUND");
        carol.post("/_matrix/client/v3/rooms/" + enc(space) + "/invite", json("user_id", dan.userId())).assertStatus(200);
        dan.post("/_matrix/client/v3/rooms/" + enc(space) + "/join", json()).assertStatus(200);
        JsonObject allowed = dan.get(summaryPath(restricted)).assertStatus(200).json();
        assertEquals("restricted", allowed.getString("join_rule"));
        assertEquals(space, allowed.getJsonArray("allowed_room_ids").getString(0));

        // Knock rooms and world-readable rooms are open.
        String knock = create(carol, json("preset", "private_chat", "initial_state", Json.arrayBuilder().add(
                json("type", "m.room.join_rules", "content", json("join_rule", "knock")))));
        assertEquals("knock", server.client("GET", summaryPath(knock)).assertStatus(200).json().getString("join_rule"));
        String readable = create(carol, json("preset", "private_chat", "initial_state", Json.arrayBuilder().add(
                json("type", "m.room.history_visibility", "content", json("history_visibility", "world_readable")))));
        assertTrue(eve.get(summaryPath(readable)).assertStatus(200).json().getBoolean("world_readable"));
    }

    @Test
    void unknownRoomsAndAliasesAreNotFound() {
        var u = server.register("rs_unknown");
        u.get(summaryPath("!nope:" + server.serverName())).assertError(404, "M_NOT_FOUND");
        u.get(summaryPath("#nope:" + server.serverName())).assertError(404, "M_NOT_FOUND");
        u.get(summaryPath("#remote:elsewhere.example?via=elsewhere.example")).assertError(404, "M_NOT_FOUND");
        u.get(summaryPath("garbage")).assertError(404, "M_NOT_FOUND");
        server.client("GET", summaryPath("!nope:" + server.serverName()), java.net.http.HttpRequest.BodyPublishers.noBody(),
                "Authorization", "Bearer bad").assertError(401, "M_UNKNOWN_TOKEN");
        u.post(summaryPath("!nope:" + server.serverName()), json()).assertError(405, "M_UNRECOGNIZED");
    }

    private static long sendAndTime(TestServer.User user, String room, String txn) {
        String id = user.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/" + txn,
                json("msgtype", "m.text", "body", txn)).assertStatus(200).json().getString("event_id");
        return user.get("/_matrix/client/v3/rooms/" + enc(room) + "/event/" + enc(id)).assertStatus(200).json()
                .getJsonNumber("origin_server_ts").longValue();
    }

    private static JsonObject closest(TestServer.User user, String room, long ts, String dir) {
        return user.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=" + ts + "&dir=" + dir)
                .assertStatus(200).json();
    }

    @Test
    void timestampToEventFindsTheClosestEventInEitherDirection() throws Exception {
        var fay = server.register("ts_fay");
        String room = create(fay, json("preset", "private_chat"));
        long first = sendAndTime(fay, room, "one");
        Thread.sleep(15);
        long second = sendAndTime(fay, room, "two");
        assertTrue(second > first);

        JsonObject after = closest(fay, room, first + 1, "f");
        assertEquals(second, after.getJsonNumber("origin_server_ts").longValue());
        JsonObject before = closest(fay, room, second - 1, "b");
        assertEquals(first, before.getJsonNumber("origin_server_ts").longValue());
        assertTrue(before.getString("event_id").startsWith("$"));
        // Exactly at an event's time finds that event.
        assertEquals(second, closest(fay, room, second, "b").getJsonNumber("origin_server_ts").longValue());

        fay.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=" + (second + 60_000) + "&dir=f")
                .assertError(404, "M_NOT_FOUND");
        fay.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=0&dir=b").assertError(404, "M_NOT_FOUND");
        fay.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?dir=f").assertError(400, "M_MISSING_PARAM");
        fay.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=1").assertError(400, "M_MISSING_PARAM");
        fay.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=soon&dir=f").assertError(400, "M_INVALID_PARAM");
        fay.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=1&dir=x").assertError(400, "M_INVALID_PARAM");
        fay.get("/_matrix/client/v1/rooms/" + enc("!nope:" + server.serverName()) + "/timestamp_to_event?ts=1&dir=f")
                .assertError(404, "M_NOT_FOUND");
        server.client("GET", "/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=1&dir=f")
                .assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void timestampToEventHonoursHistoryVisibility() throws Exception {
        var gus = server.register("ts_gus");
        var hal = server.register("ts_hal");
        var outsider = server.register("ts_outsider");
        String room = create(gus, json("preset", "public_chat", "initial_state", Json.arrayBuilder().add(
                json("type", "m.room.history_visibility", "content", json("history_visibility", "joined")))));
        Thread.sleep(15);
        long early = sendAndTime(gus, room, "early");
        Thread.sleep(15);
        hal.post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
        Thread.sleep(15);
        long late = sendAndTime(gus, room, "late");

        // hal joined after "early": with joined visibility it is not his to find. Either way he lands on another
        // event: forward on his own join, backward on the creation events (sent before the visibility was set).
        assertTrue(closest(hal, room, early, "f").getJsonNumber("origin_server_ts").longValue() > early);
        assertTrue(closest(hal, room, early, "b").getJsonNumber("origin_server_ts").longValue() < early);
        assertEquals(early, closest(gus, room, early, "b").getJsonNumber("origin_server_ts").longValue());
        assertEquals(late, closest(hal, room, late, "b").getJsonNumber("origin_server_ts").longValue());
        outsider.get("/_matrix/client/v1/rooms/" + enc(room) + "/timestamp_to_event?ts=" + late + "&dir=b")
                .assertError(403, "M_FORBIDDEN");

        gus.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.history_visibility",
                json("history_visibility", "world_readable")).assertStatus(200);
        Thread.sleep(15);
        long open = sendAndTime(gus, room, "open");
        assertEquals(open, closest(outsider, room, open, "b").getJsonNumber("origin_server_ts").longValue());
    }
}
