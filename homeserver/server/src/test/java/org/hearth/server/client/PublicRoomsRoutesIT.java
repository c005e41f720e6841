package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The published room directory: /publicRooms and /directory/list/room/{roomId}. */
class PublicRoomsRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String create(TestServer.User user, JsonObject body) {
        return user.post("/_matrix/client/v3/createRoom", body).assertStatus(200).json().getString("room_id");
    }

    private static List<String> ids(JsonObject page) {
        List<String> out = new ArrayList<>();
        page.getJsonArray("chunk").forEach(v -> out.add(v.asJsonObject().getString("room_id")));
        return out;
    }

    private static JsonObject entry(JsonObject page, String room) {
        return page.getJsonArray("chunk").stream().map(JsonValue::asJsonObject)
                .filter(o -> o.getString("room_id").equals(room)).findFirst().orElse(null);
    }

    private static JsonObject search(TestServer.User user, JsonObject body) {
        return user.post("/_matrix/client/v3/publicRooms", body).assertStatus(200).json();
    }

    @Test
    void createRoomWithPublicVisibilityPublishesAndTheChunkShowsCurrentState() {
        var alice = server.register("pub_alice");
        var bob = server.register("pub_bob");
        String room = create(alice, json("visibility", "public", "name", "Cheese Lovers", "topic", "Tasty cheese",
                "room_alias_name", "cheese"));
        String hidden = create(alice, json("preset", "public_chat", "name", "Unlisted Cheese"));
        JsonObject before = server.client("GET", "/_matrix/client/v3/publicRooms").assertStatus(200).json();
        assertEquals(1, entry(before, room).getInt("num_joined_members"));
        assertFalse(entry(before, room).containsKey("avatar_url"));
        // Joins and state changes show at once (summaries are cached by state group).
        bob.post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.avatar",
                json("url", "mxc://example.org/avatar")).assertStatus(200);

        // GET needs no access token (the spec gives it no security).
        JsonObject page = server.client("GET", "/_matrix/client/v3/publicRooms").assertStatus(200).json();
        assertFalse(ids(page).contains(hidden));
        JsonObject e = entry(page, room);
        assertEquals("Cheese Lovers", e.getString("name"));
        assertEquals("Tasty cheese", e.getString("topic"));
        assertEquals("#cheese:" + server.serverName(), e.getString("canonical_alias"));
        assertEquals("mxc://example.org/avatar", e.getString("avatar_url"));
        assertEquals(2, e.getInt("num_joined_members"));
        assertEquals("public", e.getString("join_rule"));
        assertFalse(e.getBoolean("world_readable"));
        assertFalse(e.getBoolean("guest_can_join"));
        assertFalse(e.containsKey("room_type"));
        assertTrue(page.getInt("total_room_count_estimate") >= 1);
        // r0 serves it too.
        assertTrue(ids(server.client("GET", "/_matrix/client/r0/publicRooms").assertStatus(200).json()).contains(room));

        // A redacted name disappears from the listing (the state group stays the same).
        String nameEvent = alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.name?format=event")
                .assertStatus(200).json().getString("event_id");
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/redact/" + enc(nameEvent) + "/r1", json()).assertStatus(200);
        assertFalse(entry(server.client("GET", "/_matrix/client/v3/publicRooms").assertStatus(200).json(), room)
                .containsKey("name"));

        var visibility = server.client("GET", "/_matrix/client/v3/directory/list/room/" + enc(room)).assertStatus(200).json();
        assertEquals("public", visibility.getString("visibility"));
        assertEquals("private", server.client("GET", "/_matrix/client/v3/directory/list/room/" + enc(hidden))
                .assertStatus(200).json().getString("visibility"));
    }

    @Test
    void searchTermMatchesNameTopicAliasAndRoomTypesFilter() {
        var carol = server.register("pub_carol");
        String byName = create(carol, json("visibility", "public", "name", "Zebra Crossing"));
        String byTopic = create(carol, json("visibility", "public", "topic", "all about zebras"));
        String byAlias = create(carol, json("visibility", "public", "room_alias_name", "zebra-fans"));
        String space = create(carol, json("visibility", "public", "name", "Zebra Space",
                "creation_content", json("type", "m.space")));
        String other = create(carol, json("visibility", "public", "name", "Giraffes"));

        List<String> found = ids(search(carol, json("filter", json("generic_search_term", "ZEBRA"))));
        assertTrue(found.containsAll(List.of(byName, byTopic, byAlias, space)), found.toString());
        assertFalse(found.contains(other));

        List<String> spaces = ids(search(carol, json("filter", json("generic_search_term", "zebra",
                "room_types", Json.arrayBuilder().add("m.space")))));
        assertEquals(List.of(space), spaces);
        List<String> untyped = ids(search(carol, json("filter", json("generic_search_term", "zebra",
                "room_types", Json.arrayBuilder().addNull()))));
        assertTrue(untyped.containsAll(List.of(byName, byTopic, byAlias)));
        assertFalse(untyped.contains(space));
        assertEquals("m.space", entry(search(carol, json("filter", json("generic_search_term", "Zebra Space"))), space)
                .getString("room_type"));
        // include_all_networks and a third-party instance are accepted; no bridges yet, so an instance lists nothing.
        assertTrue(ids(search(carol, json("include_all_networks", true, "filter",
                json("generic_search_term", "giraffes")))).contains(other));
        assertEquals(0, search(carol, json("third_party_instance_id", "irc")).getJsonArray("chunk").size());
    }

    @Test
    void paginationWalksEveryRoomOnceInBothDirections() {
        var dan = server.register("pub_dan");
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(create(dan, json("visibility", "public", "name", "Paging room " + i)));
        }
        JsonObject filter = json("generic_search_term", "paging room");
        List<String> seen = new ArrayList<>();
        JsonObject page = search(dan, json("limit", 2, "filter", filter));
        assertFalse(page.containsKey("prev_batch"));
        assertEquals(5, page.getInt("total_room_count_estimate"));
        seen.addAll(ids(page));
        String firstNext = page.getString("next_batch");
        while (page.containsKey("next_batch")) {
            page = search(dan, json("limit", 2, "since", page.getString("next_batch"), "filter", filter));
            seen.addAll(ids(page));
        }
        assertEquals(5, seen.size());
        assertTrue(seen.containsAll(created));
        // Back from the second page to the first.
        JsonObject second = search(dan, json("limit", 2, "since", firstNext, "filter", filter));
        JsonObject back = search(dan, json("limit", 2, "since", second.getString("prev_batch"), "filter", filter));
        assertEquals(seen.subList(0, 2), ids(back));
        // GET paginates the same way.
        JsonObject get = dan.get("/_matrix/client/v3/publicRooms?limit=1").assertStatus(200).json();
        assertEquals(1, get.getJsonArray("chunk").size());
        assertTrue(get.containsKey("next_batch"));
    }

    @Test
    void directoryVisibilityNeedsAliasPowerOrAdmin() {
        var erin = server.register("pub_erin");
        var frank = server.register("pub_frank");
        var outsider = server.register("pub_outsider");
        var admin = server.registerWithSharedSecret("pub_admin", "pw", true);
        String room = create(erin, json("preset", "public_chat", "name", "Listing"));
        frank.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        String path = "/_matrix/client/v3/directory/list/room/" + enc(room);

        frank.put(path, json("visibility", "public")).assertError(403, "M_FORBIDDEN");
        outsider.put(path, json("visibility", "public")).assertError(403, "M_FORBIDDEN");
        assertEquals("private", erin.get(path).assertStatus(200).json().getString("visibility"));

        erin.put(path, json("visibility", "public")).assertStatus(200);
        assertEquals("public", erin.get(path).assertStatus(200).json().getString("visibility"));
        assertTrue(ids(search(erin, json("filter", json("generic_search_term", "Listing")))).contains(room));
        // Publishing twice changes nothing; an admin outside the room may unlist it.
        erin.put(path, json("visibility", "public")).assertStatus(200);
        admin.put(path, json("visibility", "private")).assertStatus(200);
        assertEquals("private", erin.get(path).assertStatus(200).json().getString("visibility"));
        assertFalse(ids(search(erin, json("filter", json("generic_search_term", "Listing")))).contains(room));
        // The body's visibility defaults to public.
        erin.put(path, json()).assertStatus(200);
        assertEquals("public", erin.get(path).assertStatus(200).json().getString("visibility"));
    }

    @Test
    void badInputIsRefusedWithTheSpecsErrors() {
        var gina = server.register("pub_gina");
        String room = create(gina, json("name", "Bad input"));
        String path = "/_matrix/client/v3/directory/list/room/";
        server.client("GET", path + enc("!unknown:" + server.serverName())).assertError(404, "M_NOT_FOUND");
        gina.put(path + enc("!unknown:" + server.serverName()), json("visibility", "public")).assertError(404, "M_NOT_FOUND");
        gina.put(path + enc(room), json("visibility", "secret")).assertError(400, "M_INVALID_PARAM");
        gina.put(path + enc(room), json("visibility", 1)).assertError(400, "M_BAD_JSON");
        server.client("PUT", path + enc(room), HttpRequest.BodyPublishers.ofString("{\"visibility\":\"public\"}"))
                .assertError(401, "M_MISSING_TOKEN");
        assertEquals("private", gina.get(path + enc(room)).assertStatus(200).json().getString("visibility"));

        server.client("POST", "/_matrix/client/v3/publicRooms", HttpRequest.BodyPublishers.ofString("{}"))
                .assertError(401, "M_MISSING_TOKEN");
        server.client("GET", "/_matrix/client/v3/publicRooms", HttpRequest.BodyPublishers.noBody(),
                "Authorization", "Bearer nonsense").assertError(401, "M_UNKNOWN_TOKEN");
        gina.post("/_matrix/client/v3/publicRooms", json("limit", "ten")).assertError(400, "M_BAD_JSON");
        gina.post("/_matrix/client/v3/publicRooms", json("filter", "zebra")).assertError(400, "M_BAD_JSON");
        gina.post("/_matrix/client/v3/publicRooms", json("filter", json("room_types", Json.arrayBuilder().add(1))))
                .assertError(400, "M_BAD_JSON");
        gina.post("/_matrix/client/v3/publicRooms", json("since", "garbage")).assertError(400, "M_INVALID_PARAM");
        gina.get("/_matrix/client/v3/publicRooms?limit=x").assertError(400, "M_INVALID_PARAM");
        gina.post("/_matrix/client/v3/publicRooms", json("include_all_networks", true, "third_party_instance_id", "irc"))
                .assertError(400, "M_INVALID_PARAM");
        gina.delete("/_matrix/client/v3/publicRooms").assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void serverParameterOwnNameIsLocalOtherServersAreUnreachableWithoutFederation() {
        var hal = server.register("pub_hal");
        String room = create(hal, json("visibility", "public", "name", "Server param"));
        assertTrue(ids(server.client("GET", "/_matrix/client/v3/publicRooms?server=" + enc(server.serverName()))
                .assertStatus(200).json()).contains(room));
        assertTrue(ids(hal.post("/_matrix/client/v3/publicRooms?server=" + enc(server.serverName()),
                json("filter", json("generic_search_term", "server param"))).assertStatus(200).json()).contains(room));
        server.client("GET", "/_matrix/client/v3/publicRooms?server=other.example").assertError(502, "M_UNKNOWN");
        hal.post("/_matrix/client/v3/publicRooms?server=other.example", json()).assertError(502, "M_UNKNOWN");
        server.client("GET", "/_matrix/client/v3/publicRooms?server=" + enc("not a server!")).assertError(400, "M_INVALID_PARAM");
    }
}
