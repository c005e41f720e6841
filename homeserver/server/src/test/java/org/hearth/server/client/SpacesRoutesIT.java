package org.hearth.server.client;

import static org.hearth.server.client.RoomsHarness.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /_matrix/client/v1/rooms/{roomId}/hierarchy over local rooms. */
class SpacesRoutesIT {
    @RegisterExtension
    static final RoomsHarness server = new RoomsHarness();

    private static String hierarchy(String room) {
        return "/_matrix/client/v1/rooms/" + enc(room) + "/hierarchy";
    }

    private static void addChild(RoomsHarness.Client c, String space, String child, String extra) {
        c.put("/rooms/" + enc(space) + "/state/m.space.child/" + enc(child),
                "{\"via\":[\"test.example\"]" + extra + "}").ok();
    }

    private static List<String> roomIds(JsonObject page) {
        return page.getJsonArray("rooms").stream().map(v -> v.asJsonObject().getString("room_id")).toList();
    }

    @Test
    void walksTheSpaceDepthFirstWithSummariesAndChildrenState() {
        var alice = server.user("sp-alice");
        var bob = server.user("sp-bob");
        String space = alice.createRoom("""
                {"preset":"public_chat","name":"Company","creation_content":{"type":"m.space"}}""");
        String general = alice.createRoom("{\"preset\":\"public_chat\",\"name\":\"General\",\"topic\":\"all hands\"}");
        String team = alice.createRoom("{\"preset\":\"public_chat\",\"name\":\"Team\",\"creation_content\":{\"type\":\"m.space\"}}");
        String teamRoom = alice.createRoom("{\"preset\":\"public_chat\",\"name\":\"Team room\"}");
        String secret = alice.createRoom("{\"preset\":\"private_chat\",\"name\":\"Secret\"}");
        addChild(alice, space, general, ",\"order\":\"b\"");
        addChild(alice, space, team, ",\"order\":\"a\",\"suggested\":true");
        addChild(alice, space, secret, "");
        addChild(alice, team, teamRoom, "");
        // A child event without via is a removed child.
        alice.put("/rooms/" + enc(space) + "/state/m.space.child/" + enc("!gone:test.example"), "{}").ok();

        JsonObject page = bob.get(hierarchy(space)).ok().json();
        // Ordered by "order", depth first; the private room bob cannot join is left out.
        assertEquals(List.of(space, team, teamRoom, general), roomIds(page));
        assertFalse(page.containsKey("next_batch"));
        JsonObject root = page.getJsonArray("rooms").getJsonObject(0);
        assertEquals("Company", root.getString("name"));
        assertEquals("m.space", root.getString("room_type"));
        assertEquals(1, root.getInt("num_joined_members"));
        assertEquals("public", root.getString("join_rule"));
        assertFalse(root.getBoolean("world_readable"));
        assertFalse(root.getBoolean("guest_can_join"));
        assertEquals(3, root.getJsonArray("children_state").size());
        JsonObject child = root.getJsonArray("children_state").getJsonObject(0);
        assertEquals("m.space.child", child.getString("type"));
        assertEquals(team, child.getString("state_key"));
        assertTrue(child.containsKey("origin_server_ts"));
        assertFalse(child.containsKey("event_id"), "stripped");
        assertEquals("all hands", page.getJsonArray("rooms").getJsonObject(3).getString("topic"));

        // Alice is in the private room, so she sees it.
        assertTrue(roomIds(alice.get(hierarchy(space)).ok().json()).contains(secret));
        // max_depth and suggested_only.
        assertEquals(List.of(space, team, general), roomIds(bob.get(hierarchy(space) + "?max_depth=1").ok().json()));
        assertEquals(List.of(space), roomIds(bob.get(hierarchy(space) + "?max_depth=0").ok().json()));
        // Only suggested children at every level: the team room is not a suggested child of the team.
        assertEquals(List.of(space, team), roomIds(bob.get(hierarchy(space) + "?suggested_only=true").ok().json()));

        // Pagination, and a token made with other parameters is refused.
        List<String> paged = new ArrayList<>();
        String from = null;
        int pages = 0;
        do {
            JsonObject p = bob.get(hierarchy(space) + "?limit=1" + (from == null ? "" : "&from=" + enc(from))).ok().json();
            paged.addAll(roomIds(p));
            from = p.containsKey("next_batch") ? p.getString("next_batch") : null;
        } while (from != null && ++pages < 10);
        assertEquals(List.of(space, team, teamRoom, general), paged);
        String token = bob.get(hierarchy(space) + "?limit=1").ok().json().getString("next_batch");
        bob.get(hierarchy(space) + "?limit=1&max_depth=1&from=" + enc(token)).assertError(400, "M_INVALID_PARAM");
        bob.get(hierarchy(space) + "?from=bogus").assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void roomsTheUserCannotViewAreForbiddenAndBadParametersRefused() {
        var alice = server.user("sq-alice");
        var mallory = server.user("sq-mallory");
        String privateSpace = alice.createRoom("{\"preset\":\"private_chat\",\"creation_content\":{\"type\":\"m.space\"}}");
        mallory.get(hierarchy(privateSpace)).assertError(403, "M_FORBIDDEN");
        mallory.get(hierarchy("!unknown:test.example")).assertError(403, "M_FORBIDDEN");
        alice.get(hierarchy(privateSpace) + "?limit=0").assertError(400, "M_INVALID_PARAM");
        alice.get(hierarchy(privateSpace) + "?max_depth=-1").assertError(400, "M_INVALID_PARAM");
        alice.get(hierarchy(privateSpace) + "?suggested_only=yes").assertError(400, "M_INVALID_PARAM");
        // A room that is not a space has no children, whatever m.space.child events it holds.
        String plain = alice.createRoom("{}");
        addChild(alice, plain, privateSpace, "");
        JsonObject plainPage = alice.get(hierarchy(plain)).ok().json();
        assertEquals(List.of(plain), roomIds(plainPage));
        assertEquals(0, plainPage.getJsonArray("rooms").getJsonObject(0).getJsonArray("children_state").size());
        // World-readable rooms can be viewed by anyone.
        alice.put("/rooms/" + enc(privateSpace) + "/state/m.room.history_visibility/",
                "{\"history_visibility\":\"world_readable\"}").ok();
        JsonObject page = mallory.get(hierarchy(privateSpace)).ok().json();
        assertTrue(page.getJsonArray("rooms").getJsonObject(0).getBoolean("world_readable"));
    }
}
