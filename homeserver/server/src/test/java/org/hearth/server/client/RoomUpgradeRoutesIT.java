package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** POST /rooms/{roomId}/upgrade (spec: "Room upgrades", server behaviour). */
class RoomUpgradeRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonObject state(TestServer.User user, String room, String type) {
        return user.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/" + type).assertStatus(200).json();
    }

    private static String upgrade(TestServer.User user, String room, String version) {
        return user.post("/_matrix/client/v3/rooms/" + enc(room) + "/upgrade", json("new_version", version))
                .assertStatus(200).json().getString("replacement_room");
    }

    @Test
    void upgradeReplacesTheRoomAndMovesStateAliasesAndListing() {
        var alice = server.register("up_alice");
        var bob = server.register("up_bob");
        String old = alice.post("/_matrix/client/v3/createRoom", json("room_version", "11", "visibility", "public",
                "name", "Upgrade me", "topic", "old topic", "room_alias_name", "upgrade-me",
                "initial_state", Json.arrayBuilder().add(json("type", "m.room.history_visibility",
                        "content", json("history_visibility", "world_readable")))))
                .assertStatus(200).json().getString("room_id");
        bob.post("/_matrix/client/v3/join/" + enc(old), json()).assertStatus(200);
        alice.post("/_matrix/client/v3/rooms/" + enc(old) + "/ban", json("user_id", "@spammer:elsewhere.example"))
                .assertStatus(200);

        // bob has power 0: the tombstone needs 100.
        bob.post("/_matrix/client/v3/rooms/" + enc(old) + "/upgrade", json("new_version", "12"))
                .assertError(403, "M_FORBIDDEN");

        String fresh = upgrade(alice, old, "12");
        assertNotEquals(old, fresh);

        JsonObject tombstone = state(alice, old, "m.room.tombstone");
        assertEquals(fresh, tombstone.getString("replacement_room"));
        assertTrue(tombstone.containsKey("body"));
        JsonObject oldPl = state(alice, old, "m.room.power_levels");
        assertEquals(50, oldPl.getInt("events_default"));
        assertEquals(50, oldPl.getInt("invite"));
        // bob can no longer talk in the old room.
        bob.put("/_matrix/client/v3/rooms/" + enc(old) + "/send/m.room.message/1", json("msgtype", "m.text", "body", "hi"))
                .assertError(403, "M_FORBIDDEN");

        JsonObject create = state(alice, fresh, "m.room.create");
        assertEquals("12", create.getString("room_version"));
        assertEquals(old, create.getJsonObject("predecessor").getString("room_id"));
        assertTrue(create.getJsonObject("predecessor").getString("event_id").startsWith("$"));
        assertFalse(create.containsKey("creator"));
        assertEquals("Upgrade me", state(alice, fresh, "m.room.name").getString("name"));
        assertEquals("old topic", state(alice, fresh, "m.room.topic").getString("topic"));
        assertEquals("public", state(alice, fresh, "m.room.join_rules").getString("join_rule"));
        assertEquals("world_readable", state(alice, fresh, "m.room.history_visibility").getString("history_visibility"));
        String alias = "#upgrade-me:" + server.serverName();
        assertEquals(alias, state(alice, fresh, "m.room.canonical_alias").getString("alias"));
        assertFalse(state(alice, old, "m.room.canonical_alias").containsKey("alias"));
        assertEquals("ban", state(alice, fresh, "m.room.member/" + enc("@spammer:elsewhere.example")).getString("membership"));
        // v12: the creator's power comes from the create event, so the power levels no longer list them.
        JsonObject pl = state(alice, fresh, "m.room.power_levels");
        assertFalse(pl.getJsonObject("users").containsKey(alice.userId()));
        // Membership does not move: bob is not in the new room.
        assertEquals(java.util.Set.of(alice.userId()), alice.get("/_matrix/client/v3/rooms/" + enc(fresh)
                + "/joined_members").assertStatus(200).json().getJsonObject("joined").keySet());

        assertEquals(fresh, server.client("GET", "/_matrix/client/v3/directory/room/" + enc(alias))
                .assertStatus(200).json().getString("room_id"));
        assertEquals("public", server.client("GET", "/_matrix/client/v3/directory/list/room/" + enc(fresh))
                .assertStatus(200).json().getString("visibility"));
        assertEquals("private", server.client("GET", "/_matrix/client/v3/directory/list/room/" + enc(old))
                .assertStatus(200).json().getString("visibility"));

        // bob follows into the new room.
        bob.post("/_matrix/client/v3/join/" + enc(fresh), json()).assertStatus(200);
        // A tombstoned room is not upgraded a second time.
        alice.post("/_matrix/client/v3/rooms/" + enc(old) + "/upgrade", json("new_version", "12"))
                .assertError(403, "M_FORBIDDEN");
    }

    @Test
    void upgraderWithoutPowerToCopyStateIsRaisedThenPutBack() {
        var carol = server.register("up_carol");
        var dan = server.register("up_dan");
        String old = carol.post("/_matrix/client/v3/createRoom", json("room_version", "10", "preset", "public_chat",
                "name", "Moderated", "power_level_content_override", json(
                        "users", json(carol.userId(), 100, dan.userId(), 50),
                        "events", json("m.room.tombstone", 50, "m.room.power_levels", 100, "m.room.name", 75))))
                .assertStatus(200).json().getString("room_id");
        dan.post("/_matrix/client/v3/join/" + enc(old), json()).assertStatus(200);

        String fresh = upgrade(dan, old, "10");
        JsonObject create = state(dan, fresh, "m.room.create");
        assertEquals("10", create.getString("room_version"));
        assertEquals(dan.userId(), create.getString("creator"));
        assertEquals("Moderated", state(dan, fresh, "m.room.name").getString("name"));
        JsonObject pl = state(dan, fresh, "m.room.power_levels");
        assertEquals(50, pl.getJsonObject("users").getInt(dan.userId()));
        assertEquals(100, pl.getJsonObject("users").getInt(carol.userId()));
    }

    @Test
    void additionalCreatorsGoIntoTheNewCreateEvent() {
        var erin = server.register("up_erin");
        var fay = server.register("up_fay");
        String old = erin.post("/_matrix/client/v3/createRoom", json("preset", "private_chat")).assertStatus(200)
                .json().getString("room_id");
        String fresh = erin.post("/_matrix/client/v3/rooms/" + enc(old) + "/upgrade", json("new_version", "12",
                "additional_creators", Json.arrayBuilder().add(fay.userId()))).assertStatus(200).json()
                .getString("replacement_room");
        JsonObject create = state(erin, fresh, "m.room.create");
        assertEquals(fay.userId(), create.getJsonArray("additional_creators").getString(0));
        assertEquals("invite", state(erin, fresh, "m.room.join_rules").getString("join_rule"));
    }

    @Test
    void badRequestsChangeNothing() {
        var gus = server.register("up_gus");
        var outsider = server.register("up_outsider");
        String room = gus.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                .json().getString("room_id");
        String path = "/_matrix/client/v3/rooms/" + enc(room) + "/upgrade";
        gus.post(path, json("new_version", "999")).assertError(400, "M_UNSUPPORTED_ROOM_VERSION");
        gus.post(path, json()).assertError(400, "M_BAD_JSON");
        gus.post(path, json("new_version", 12)).assertError(400, "M_BAD_JSON");
        gus.post(path, json("new_version", "12", "additional_creators", "nope")).assertError(400, "M_BAD_JSON");
        gus.post(path, json("new_version", "12", "additional_creators", Json.arrayBuilder().add("not-a-user")))
                .assertError(400, "M_INVALID_PARAM");
        outsider.post(path, json("new_version", "12")).assertError(403, "M_FORBIDDEN");
        gus.post("/_matrix/client/v3/rooms/" + enc("!nope:" + server.serverName()) + "/upgrade", json("new_version", "12"))
                .assertError(404, "M_NOT_FOUND");
        server.client("POST", path, java.net.http.HttpRequest.BodyPublishers.ofString("{\"new_version\":\"12\"}"))
                .assertError(401, "M_MISSING_TOKEN");
        gus.get(path).assertError(405, "M_UNRECOGNIZED");
        gus.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.tombstone").assertError(404, "M_NOT_FOUND");
        // r0 serves it too.
        String fresh = gus.post("/_matrix/client/r0/rooms/" + enc(room) + "/upgrade", json("new_version", "12"))
                .assertStatus(200).json().getString("replacement_room");
        assertTrue(fresh.startsWith("!"));
    }
}
