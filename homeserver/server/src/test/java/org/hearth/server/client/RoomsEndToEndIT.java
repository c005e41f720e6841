package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The room routes in the real server, with real registration and access tokens. */
class RoomsEndToEndIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void registeredUsersCreateJoinAndTalk() {
        var alice = server.register("alice");
        var bob = server.register("bob");
        String room = alice.post("/_matrix/client/v3/createRoom", Json.objectBuilder()
                .add("preset", "public_chat").add("room_alias_name", "e2e").build())
                .assertStatus(200).json().getString("room_id");
        String alias = "#e2e:" + server.serverName();
        bob.post("/_matrix/client/v3/join/" + enc(alias), Json.objectBuilder().build()).assertStatus(200);
        String eventId = bob.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/1",
                Json.objectBuilder().add("msgtype", "m.text").add("body", "hello").build())
                .assertStatus(200).json().getString("event_id");
        var event = alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/event/" + enc(eventId)).assertStatus(200).json();
        assertEquals(bob.userId(), event.getString("sender"));
        assertEquals("hello", event.getJsonObject("content").getString("body"));
        var joined = bob.get("/_matrix/client/v3/joined_rooms").assertStatus(200).json().getJsonArray("joined_rooms");
        assertTrue(joined.toString().contains(room));
        server.client("GET", "/_matrix/client/v3/joined_rooms").assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void memberEventsCarryTheProfileAndFollowItsChanges() {
        var carol = server.register("carol");
        var dan = server.register("dan");
        carol.put("/_matrix/client/v3/profile/" + enc(carol.userId()) + "/displayname",
                Json.objectBuilder().add("displayname", "Carol").build()).assertStatus(200);
        dan.put("/_matrix/client/v3/profile/" + enc(dan.userId()) + "/displayname",
                Json.objectBuilder().add("displayname", "Dan").build()).assertStatus(200);
        String room = carol.post("/_matrix/client/v3/createRoom", Json.objectBuilder().add("preset", "public_chat").build())
                .assertStatus(200).json().getString("room_id");
        dan.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", Json.objectBuilder().build()).assertStatus(200);
        var joined = carol.get("/_matrix/client/v3/rooms/" + enc(room) + "/joined_members").assertStatus(200).json()
                .getJsonObject("joined");
        assertEquals("Carol", joined.getJsonObject(carol.userId()).getString("display_name"));
        assertEquals("Dan", joined.getJsonObject(dan.userId()).getString("display_name"));
        dan.put("/_matrix/client/v3/profile/" + enc(dan.userId()) + "/displayname",
                Json.objectBuilder().add("displayname", "Daniel").build()).assertStatus(200);
        var member = carol.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.member/" + enc(dan.userId())
                + "?format=event").assertStatus(200).json();
        assertEquals("Daniel", member.getJsonObject("content").getString("displayname"));
        assertEquals("Dan", member.getJsonObject("unsigned").getJsonObject("prev_content").getString("displayname"));
    }

    @Test
    void deactivatedUsersLeaveTheirRooms() {
        var fay = server.register("fay");
        var gus = server.register("gus");
        String room = fay.post("/_matrix/client/v3/createRoom", Json.objectBuilder().add("preset", "public_chat").build())
                .assertStatus(200).json().getString("room_id");
        gus.post("/_matrix/client/v3/join/" + enc(room), Json.objectBuilder().build()).assertStatus(200);
        var first = gus.post("/_matrix/client/v3/account/deactivate", Json.objectBuilder().build());
        assertEquals(401, first.status());
        var auth = Json.objectBuilder().add("type", "m.login.password")
                .add("identifier", Json.objectBuilder().add("type", "m.id.user").add("user", gus.userId()))
                .add("password", TestServer.DEFAULT_PASSWORD).add("session", first.json().getString("session"));
        gus.post("/_matrix/client/v3/account/deactivate", Json.objectBuilder().add("auth", auth).build()).assertStatus(200);
        var joined = fay.get("/_matrix/client/v3/rooms/" + enc(room) + "/joined_members").assertStatus(200).json()
                .getJsonObject("joined");
        assertEquals(java.util.Set.of(fay.userId()), joined.keySet());
    }
}
