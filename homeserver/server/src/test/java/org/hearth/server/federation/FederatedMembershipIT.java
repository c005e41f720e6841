package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationException;
import org.hearth.server.TestServer;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real Hearth servers: B's users join A's rooms by alias, leave, are invited back, are banned, reject invites,
 * knock; B's clients read A's aliases, profiles and public directory over federation; bad membership requests are
 * refused as the Server-Server API says.
 */
class FederatedMembershipIT {
    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    @Test
    void joinByAliasLeaveInvitedBackThenBanned() {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "room_alias_name", "lounge", "name", "lounge")).assertStatus(200).json().getString("room_id");
        String alias = "#lounge:" + a.serverName();

        // B's client resolves A's alias through /query/directory.
        JsonObject resolved = bob.get("/_matrix/client/v3/directory/room/" + enc(alias)).assertStatus(200).json();
        assertEquals(roomId, resolved.getString("room_id"));
        assertTrue(resolved.getJsonArray("servers").toString().contains(a.serverName()), resolved.toString());
        bob.get("/_matrix/client/v3/directory/room/" + enc("#nope:" + a.serverName())).assertError(404, "M_NOT_FOUND");

        assertEquals(roomId, bob.post("/_matrix/client/v3/join/" + enc(alias), JsonValue.EMPTY_JSON_OBJECT)
                .assertStatus(200).json().getString("room_id"));
        await(() -> membership(a, roomId, bob.userId()), "join");
        // In the room, B may ask A for the event closest to a time; a server not in it may not.
        FederationClient fromB = b.server().federation().client();
        JsonObject closest = fromB.get(a.serverName(), "/_matrix/federation/v1/timestamp_to_event/" + enc(roomId)
                + "?dir=b&ts=" + System.currentTimeMillis());
        assertTrue(a.server().rooms().reader().event(closest.getString("event_id")).isPresent(), closest.toString());
        assertEquals(400, assertThrows(FederationException.class, () -> fromB.get(a.serverName(),
                "/_matrix/federation/v1/timestamp_to_event/" + enc(roomId) + "?dir=x&ts=1")).status());

        // Leaving a room this server is resident in: a local leave, sent on to A.
        bob.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/leave", JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        await(() -> membership(a, roomId, bob.userId()), "leave");
        String afterLeave = alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/m1",
                TestServer.json("msgtype", "m.text", "body", "bob is gone")).assertStatus(200).json()
                .getString("event_id");

        // Invited back: the invite reaches B through /invite although B has the room (nobody of B is in it).
        alice.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/invite", TestServer.json("user_id", bob.userId()))
                .assertStatus(200);
        await(() -> membership(b, roomId, bob.userId()), "invite");
        assertTrue(b.server().rooms().reader().event(afterLeave).isEmpty(), "B got an event after its last user left");
        bob.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/join", JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        await(() -> membership(a, roomId, bob.userId()), "join");
        // Joined again through make_join/send_join, B follows the room again.
        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/m2",
                TestServer.json("msgtype", "m.text", "body", "welcome back")).assertStatus(200);
        await(() -> timelineHas(bob, roomId, "welcome back") ? "yes" : "no", "yes");

        alice.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/ban", TestServer.json("user_id", bob.userId(),
                "reason", "enough")).assertStatus(200);
        await(() -> membership(b, roomId, bob.userId()), "ban");
        // Banned: A refuses make_join, B's client gets the refusal.
        bob.post("/_matrix/client/v3/join/" + enc(alias), JsonValue.EMPTY_JSON_OBJECT).assertError(403, "M_FORBIDDEN");
        assertEquals("ban", membership(a, roomId, bob.userId()));
    }

    @Test
    void createRoomInvitesARemoteUserThroughTheirServer() {
        var alice = a.register("calice");
        var bob = b.register("cbob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "trusted_private_chat",
                "is_direct", true, "invite", Json.arrayBuilder().add(bob.userId()))).assertStatus(200).json()
                .getString("room_id");
        // The invite was signed by B through /invite: B knows it, bob's sync lists it, and he can join.
        await(() -> membership(b, roomId, bob.userId()), "invite");
        JsonObject sync = bob.get("/_matrix/client/v3/sync").assertStatus(200).json();
        assertTrue(sync.getJsonObject("rooms").getJsonObject("invite").containsKey(roomId), sync.toString());
        assertEquals("invite", membership(a, roomId, bob.userId()));
        bob.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/join", JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        await(() -> membership(a, roomId, bob.userId()), "join");
    }

    @Test
    void aRemoteInviteIsRejectedThroughTheInvitingServer() {
        var alice = a.register("ralice");
        var bob = b.register("rbob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "private_chat",
                "name", "secret")).assertStatus(200).json().getString("room_id");
        alice.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/invite", TestServer.json("user_id", bob.userId()))
                .assertStatus(200);
        assertEquals("invite", membership(b, roomId, bob.userId()));
        // B does not have the room: the leave goes through make_leave/send_leave on A.
        bob.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/leave", TestServer.json("reason", "no thanks"))
                .assertStatus(200);
        assertEquals("leave", membership(a, roomId, bob.userId()));
        assertEquals("leave", membership(b, roomId, bob.userId()));
        JsonObject sync = bob.get("/_matrix/client/v3/sync").assertStatus(200).json();
        assertTrue(!sync.getJsonObject("rooms").getJsonObject("invite").containsKey(roomId), sync.toString());
        // Not invited any more: joining is refused by A (v12 room IDs name no server, so the client names it).
        bob.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/join?via=" + enc(a.serverName()),
                JsonValue.EMPTY_JSON_OBJECT).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void aRemoteUserKnocksAndIsLetIn() {
        var alice = a.register("kalice");
        var bob = b.register("kbob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "private_chat",
                "name", "knock here", "initial_state", Json.arrayBuilder().add(TestServer.json("type",
                        "m.room.join_rules", "state_key", "", "content", TestServer.json("join_rule", "knock")))))
                .assertStatus(200).json().getString("room_id");
        assertEquals(roomId, bob.post("/_matrix/client/v3/knock/" + enc(roomId) + "?via=" + enc(a.serverName()),
                TestServer.json("reason", "let me in")).assertStatus(200).json().getString("room_id"));
        assertEquals("knock", membership(a, roomId, bob.userId()));
        JsonObject knocked = bob.get("/_matrix/client/v3/sync").assertStatus(200).json().getJsonObject("rooms")
                .getJsonObject("knock").getJsonObject(roomId);
        String state = knocked.getJsonObject("knock_state").getJsonArray("events").toString();
        assertTrue(state.contains("\"knock here\"") && state.contains("m.room.create")
                && state.contains("\"knock\""), state);
        // A knock rescinded while B is not resident: the leave goes through make_leave/send_leave on A.
        var carol = b.register("kcarol");
        carol.post("/_matrix/client/v3/knock/" + enc(roomId) + "?via=" + enc(a.serverName()), JsonValue.EMPTY_JSON_OBJECT)
                .assertStatus(200);
        assertEquals("knock", membership(a, roomId, carol.userId()));
        carol.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/leave", JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        assertEquals("leave", membership(a, roomId, carol.userId()));

        // A's admin sees the knock and invites; B's user joins.
        alice.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/invite", TestServer.json("user_id", bob.userId()))
                .assertStatus(200);
        assertEquals("invite", membership(b, roomId, bob.userId()));
        bob.post("/_matrix/client/v3/join/" + enc(roomId) + "?via=" + enc(a.serverName()), JsonValue.EMPTY_JSON_OBJECT)
                .assertStatus(200);
        await(() -> membership(a, roomId, bob.userId()), "join");

        // Knocking on a room whose join rule is not knock is refused by its server.
        String open = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "private_chat"))
                .assertStatus(200).json().getString("room_id");
        bob.post("/_matrix/client/v3/knock/" + enc(open) + "?via=" + enc(a.serverName()), JsonValue.EMPTY_JSON_OBJECT)
                .assertError(403, "M_FORBIDDEN");
    }

    @Test
    void remoteProfilesAndDirectories() {
        var alice = a.register("palice");
        var bob = b.register("pbob");
        alice.put("/_matrix/client/v3/profile/" + enc(alice.userId()) + "/displayname",
                TestServer.json("displayname", "Alice of A")).assertStatus(200);
        JsonObject profile = bob.get("/_matrix/client/v3/profile/" + enc(alice.userId())).assertStatus(200).json();
        assertEquals("Alice of A", profile.getString("displayname"));
        assertEquals("Alice of A", bob.get("/_matrix/client/v3/profile/" + enc(alice.userId()) + "/displayname")
                .assertStatus(200).json().getString("displayname"));
        bob.get("/_matrix/client/v3/profile/" + enc(alice.userId()) + "/avatar_url").assertError(404, "M_NOT_FOUND");
        bob.get("/_matrix/client/v3/profile/" + enc("@nobody:" + a.serverName())).assertError(404, "M_NOT_FOUND");

        String published = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "visibility", "public", "name", "Directory Listed Room")).assertStatus(200).json().getString("room_id");
        JsonObject list = bob.get("/_matrix/client/v3/publicRooms?server=" + enc(a.serverName())).assertStatus(200)
                .json();
        assertTrue(list.getJsonArray("chunk").toString().contains(published), list.toString());
        JsonObject filtered = bob.post("/_matrix/client/v3/publicRooms?server=" + enc(a.serverName()),
                TestServer.json("filter", TestServer.json("generic_search_term", "Directory Listed"), "limit", 5))
                .assertStatus(200).json();
        assertEquals(1, filtered.getJsonArray("chunk").size(), filtered.toString());
        assertEquals(published, filtered.getJsonArray("chunk").getJsonObject(0).getString("room_id"));
        JsonObject none = bob.post("/_matrix/client/v3/publicRooms?server=" + enc(a.serverName()),
                TestServer.json("filter", TestServer.json("generic_search_term", "no such room anywhere")))
                .assertStatus(200).json();
        assertEquals(0, none.getJsonArray("chunk").size(), none.toString());
        bob.get("/_matrix/client/v3/publicRooms?server=unreachable.invalid").assertError(502, "M_UNKNOWN");
    }

    @Test
    void badMembershipRequestsAreRefused() {
        var alice = a.register("balice");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        FederationClient fromB = b.server().federation().client();
        // make_leave for a user of another server than the origin.
        FederationException e = assertThrows(FederationException.class, () -> fromB.get(a.serverName(),
                "/_matrix/federation/v1/make_leave/" + enc(roomId) + "/" + enc(alice.userId())));
        assertEquals(403, e.status());
        // send_leave with an event that is not a leave.
        e = assertThrows(FederationException.class, () -> fromB.put(a.serverName(),
                "/_matrix/federation/v2/send_leave/" + enc(roomId) + "/" + enc("$x"), TestServer.json("type",
                        "m.room.message")));
        assertEquals(400, e.status());
        // A genuine join template sent to send_leave: the membership does not match.
        JsonObject template = fromB.get(a.serverName(), "/_matrix/federation/v1/make_join/" + enc(roomId) + "/"
                + enc("@x:" + b.serverName()) + "?ver=" + a.server().rooms().reader().version(RoomId.parse(roomId))
                .orElseThrow().id()).getJsonObject("event");
        e = assertThrows(FederationException.class, () -> fromB.put(a.serverName(),
                "/_matrix/federation/v2/send_leave/" + enc(roomId) + "/" + enc("$x"), template));
        assertEquals(400, e.status());
        // make_knock needs ver and a knock room.
        e = assertThrows(FederationException.class, () -> fromB.get(a.serverName(),
                "/_matrix/federation/v1/make_knock/" + enc(roomId) + "/" + enc("@x:" + b.serverName()) + "?ver=1"));
        assertEquals(400, e.status());
        assertEquals("M_INCOMPATIBLE_ROOM_VERSION", e.errcode());
        // Unknown query types.
        e = assertThrows(FederationException.class, () -> fromB.get(a.serverName(),
                "/_matrix/federation/v1/query/nonesuch?x=1"));
        assertEquals(404, e.status());
        assertEquals("M_UNRECOGNIZED", e.errcode());
        // Unsigned requests.
        a.federation("GET", "/_matrix/federation/v1/make_leave/" + enc(roomId) + "/" + enc("@x:" + b.serverName()))
                .assertError(401, "M_UNAUTHORIZED");
        a.federation("GET", "/_matrix/federation/v1/publicRooms").assertError(401, "M_UNAUTHORIZED");
        // The federation directory lists what the client one lists.
        String listed = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "visibility", "public")).assertStatus(200).json().getString("room_id");
        assertTrue(fromB.get(a.serverName(), "/_matrix/federation/v1/publicRooms?limit=100").toString().contains(listed));
        e = assertThrows(FederationException.class, () -> fromB.post(a.serverName(),
                "/_matrix/federation/v1/publicRooms", TestServer.json("filter", "not an object")));
        assertEquals(400, e.status());
    }

    @Test
    void spaceHierarchyAcrossServers() {
        var alice = a.register("halice");
        var bob = b.register("hbob");
        JsonObject spaceType = TestServer.json("type", "m.space");
        String space = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "name", "A space", "creation_content", spaceType)).assertStatus(200).json().getString("room_id");
        String open = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "name", "open child")).assertStatus(200).json().getString("room_id");
        String closed = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "private_chat",
                "name", "closed child")).assertStatus(200).json().getString("room_id");
        for (String child : new String[] {open, closed}) {
            alice.put("/_matrix/client/v3/rooms/" + enc(space) + "/state/m.space.child/" + enc(child),
                    TestServer.json("via", Json.arrayBuilder().add(a.serverName()), "suggested", child.equals(open)))
                    .assertStatus(200);
        }
        // A answers B's server: the open child in full, the closed one as inaccessible.
        FederationClient fromB = b.server().federation().client();
        JsonObject view = fromB.get(a.serverName(), "/_matrix/federation/v1/hierarchy/" + enc(space));
        assertEquals(space, view.getJsonObject("room").getString("room_id"));
        assertEquals(2, view.getJsonObject("room").getJsonArray("children_state").size(), view.toString());
        assertEquals(1, view.getJsonArray("children").size(), view.toString());
        assertEquals(open, view.getJsonArray("children").getJsonObject(0).getString("room_id"));
        assertEquals(List.of(closed), view.getJsonArray("inaccessible_children").getValuesAs(
                jakarta.json.JsonString.class).stream().map(jakarta.json.JsonString::getString).toList());
        FederationException e = assertThrows(FederationException.class, () -> fromB.get(a.serverName(),
                "/_matrix/federation/v1/hierarchy/" + enc(closed)));
        assertEquals(404, e.status());
        e = assertThrows(FederationException.class, () -> fromB.get(a.serverName(),
                "/_matrix/federation/v1/hierarchy/" + enc("!nope:" + a.serverName())));
        assertEquals(404, e.status());

        // B's own space links A's: B's client walks into A's space through federation.
        String bSpace = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "name", "B space", "creation_content", spaceType)).assertStatus(200).json().getString("room_id");
        bob.put("/_matrix/client/v3/rooms/" + enc(bSpace) + "/state/m.space.child/" + enc(space),
                TestServer.json("via", Json.arrayBuilder().add(a.serverName()))).assertStatus(200);
        JsonObject walked = bob.get("/_matrix/client/v1/rooms/" + enc(bSpace) + "/hierarchy").assertStatus(200).json();
        List<String> ids = walked.getJsonArray("rooms").getValuesAs(JsonObject.class).stream()
                .map(r -> r.getString("room_id")).toList();
        assertEquals(List.of(bSpace, space, open), ids, walked.toString());
        assertEquals("A space", walked.getJsonArray("rooms").getJsonObject(1).getString("name"));
        JsonObject suggested = bob.get("/_matrix/client/v1/rooms/" + enc(bSpace) + "/hierarchy?suggested_only=true")
                .assertStatus(200).json();
        assertEquals(1, suggested.getJsonArray("rooms").size(), suggested.toString());
    }

    @Test
    void openIdTokensAreCheckedByUserInfo() {
        var alice = a.register("oalice");
        JsonObject token = alice.post("/_matrix/client/v3/user/" + enc(alice.userId()) + "/openid/request_token",
                JsonValue.EMPTY_JSON_OBJECT).assertStatus(200).json();
        assertEquals("Bearer", token.getString("token_type"));
        assertEquals(a.serverName(), token.getString("matrix_server_name"));
        assertEquals(3600, token.getInt("expires_in"));
        // Third parties ask without signing.
        JsonObject info = a.federation("GET", "/_matrix/federation/v1/openid/userinfo?access_token="
                + enc(token.getString("access_token"))).assertStatus(200).json();
        assertEquals(alice.userId(), info.getString("sub"));
        a.federation("GET", "/_matrix/federation/v1/openid/userinfo?access_token=nonsense")
                .assertError(401, "M_UNKNOWN_TOKEN");
        a.federation("GET", "/_matrix/federation/v1/openid/userinfo").assertError(400, "M_MISSING_PARAM");
        // The client's access token is not an OpenID token.
        a.federation("GET", "/_matrix/federation/v1/openid/userinfo?access_token=" + enc(alice.accessToken()))
                .assertError(401, "M_UNKNOWN_TOKEN");
        alice.post("/_matrix/client/v3/user/" + enc("@other:" + a.serverName()) + "/openid/request_token",
                JsonValue.EMPTY_JSON_OBJECT).assertError(403, "M_FORBIDDEN");
        a.client("POST", "/_matrix/client/v3/user/" + enc(alice.userId()) + "/openid/request_token",
                java.net.http.HttpRequest.BodyPublishers.ofString("{}")).assertError(401, "M_MISSING_TOKEN");
    }

    private static String membership(TestServer server, String roomId, String userId) {
        return server.server().rooms().reader().membership(RoomId.parse(roomId), UserId.parse(userId))
                .map(m -> m.membership()).orElse("none");
    }

    private static boolean timelineHas(TestServer.User user, String roomId, String text) {
        JsonObject sync = user.get("/_matrix/client/v3/sync?filter=" + enc("{\"room\":{\"timeline\":{\"limit\":50}}}"))
                .assertStatus(200).json();
        JsonObject join = sync.getJsonObject("rooms").getJsonObject("join");
        return join != null && join.getJsonObject(roomId) != null
                && join.getJsonObject(roomId).getJsonObject("timeline").toString().contains(text);
    }

    /** Waits (up to 15 s) until {@code value} gives {@code expected}. */
    private static void await(Supplier<String> value, String expected) {
        long deadline = System.currentTimeMillis() + 15_000;
        String last = null;
        while (System.currentTimeMillis() < deadline) {
            last = value.get();
            if (expected.equals(last)) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException ex) {
                throw new AssertionError(ex);
            }
        }
        throw new AssertionError("expected " + expected + ", last " + last);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
