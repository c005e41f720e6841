package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** POST /user_directory/search and GET /v1/mutual_rooms. */
class UserDirectoryRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static List<String> found(TestServer.User user, String term) {
        return user.post("/_matrix/client/v3/user_directory/search", json("search_term", term)).assertStatus(200)
                .json().getJsonArray("results").stream().map(v -> v.asJsonObject().getString("user_id")).toList();
    }

    private static void displayName(TestServer.User user, String name) {
        user.put("/_matrix/client/v3/profile/" + enc(user.userId()) + "/displayname", json("displayname", name))
                .assertStatus(200);
    }

    private static String room(TestServer.User user, String preset) {
        return user.post("/_matrix/client/v3/createRoom", json("preset", preset)).assertStatus(200).json()
                .getString("room_id");
    }

    @Test
    void findsUsersSharingARoomAndMembersOfPublicRoomsOnly() {
        var searcher = server.register("ud_searcher");
        var friend = server.register("ud_friend");
        var publicMember = server.register("ud_public");
        var stranger = server.register("ud_stranger");
        displayName(friend, "Wilhelmina Friend");
        displayName(publicMember, "Wilhelm Public");
        displayName(stranger, "Wilhelm Stranger");
        friend.put("/_matrix/client/v3/profile/" + enc(friend.userId()) + "/avatar_url",
                json("avatar_url", "mxc://example.org/friend")).assertStatus(200);

        String shared = room(searcher, "private_chat");
        searcher.post("/_matrix/client/v3/rooms/" + enc(shared) + "/invite", json("user_id", friend.userId())).assertStatus(200);
        friend.post("/_matrix/client/v3/rooms/" + enc(shared) + "/join", json()).assertStatus(200);
        room(publicMember, "public_chat");
        String secret = room(stranger, "private_chat");

        List<String> wilhelm = found(searcher, "wilhelm");
        assertTrue(wilhelm.contains(friend.userId()), wilhelm.toString());
        assertTrue(wilhelm.contains(publicMember.userId()), wilhelm.toString());
        assertFalse(wilhelm.contains(stranger.userId()), "a stranger in a private room stays hidden");

        // Case-insensitive word prefixes of the display name, and the start of the localpart.
        assertTrue(found(searcher, "FRIEND").contains(friend.userId()));
        assertTrue(found(searcher, "ud_fr").contains(friend.userId()));
        assertTrue(found(searcher, "@ud_fr").contains(friend.userId()));
        assertFalse(found(searcher, "ilhelm").contains(friend.userId()), "inside a word is no match");

        JsonObject result = searcher.post("/_matrix/client/v3/user_directory/search", json("search_term", "wilhelmina"))
                .assertStatus(200).json();
        JsonObject first = result.getJsonArray("results").getJsonObject(0);
        assertEquals(friend.userId(), first.getString("user_id"));
        assertEquals("Wilhelmina Friend", first.getString("display_name"));
        assertEquals("mxc://example.org/friend", first.getString("avatar_url"));
        assertFalse(result.getBoolean("limited"));

        // Once the stranger's room turns public its members become findable; leaving the shared room hides them.
        stranger.put("/_matrix/client/v3/rooms/" + enc(secret) + "/state/m.room.join_rules", json("join_rule", "public"))
                .assertStatus(200);
        assertTrue(found(searcher, "wilhelm").contains(stranger.userId()));
        friend.post("/_matrix/client/v3/rooms/" + enc(shared) + "/leave", json()).assertStatus(200);
        assertFalse(found(searcher, "wilhelmina").contains(friend.userId()));
        // A world-readable room counts as public too.
        stranger.put("/_matrix/client/v3/rooms/" + enc(secret) + "/state/m.room.join_rules", json("join_rule", "invite"))
                .assertStatus(200);
        assertFalse(found(searcher, "wilhelm stranger").contains(stranger.userId()));
        stranger.put("/_matrix/client/v3/rooms/" + enc(secret) + "/state/m.room.history_visibility",
                json("history_visibility", "world_readable")).assertStatus(200);
        assertTrue(found(searcher, "wilhelm stranger").contains(stranger.userId()));
    }

    @Test
    void limitTruncatesAndSaysSo() {
        var owner = server.register("ud_owner");
        String room = room(owner, "public_chat");
        for (int i = 0; i < 4; i++) {
            var u = server.register("ud_many" + i);
            u.post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
        }
        JsonObject limited = owner.post("/_matrix/client/v3/user_directory/search",
                json("search_term", "ud_many", "limit", 3)).assertStatus(200).json();
        assertEquals(3, limited.getJsonArray("results").size());
        assertTrue(limited.getBoolean("limited"));
        JsonObject all = owner.post("/_matrix/client/v3/user_directory/search",
                json("search_term", "ud_many")).assertStatus(200).json();
        assertEquals(4, all.getJsonArray("results").size());
        assertFalse(all.getBoolean("limited"));
        // LIKE wildcards in the term are literal.
        assertEquals(0, owner.post("/_matrix/client/v3/user_directory/search", json("search_term", "%"))
                .assertStatus(200).json().getJsonArray("results").size());
        assertEquals(0, owner.post("/_matrix/client/v3/user_directory/search", json("search_term", "ud\\_"))
                .assertStatus(200).json().getJsonArray("results").size());
    }

    @Test
    void deactivatedUsersAreNotListed() {
        var owner = server.register("ud_deact_owner");
        var gone = server.register("ud_gone");
        String room = room(owner, "public_chat");
        gone.post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
        assertTrue(found(owner, "ud_gone").contains(gone.userId()));
        var first = gone.post("/_matrix/client/v3/account/deactivate", json());
        gone.post("/_matrix/client/v3/account/deactivate", json("auth", json("type", "m.login.password",
                "identifier", json("type", "m.id.user", "user", gone.userId()),
                "password", TestServer.DEFAULT_PASSWORD, "session", first.json().getString("session")))).assertStatus(200);
        assertFalse(found(owner, "ud_gone").contains(gone.userId()));
    }

    @Test
    void searchRefusesBadInput() {
        var u = server.register("ud_bad");
        u.post("/_matrix/client/v3/user_directory/search", json()).assertError(400, "M_BAD_JSON");
        u.post("/_matrix/client/v3/user_directory/search", json("search_term", 5)).assertError(400, "M_BAD_JSON");
        u.post("/_matrix/client/v3/user_directory/search", json("search_term", "a", "limit", "x")).assertError(400, "M_BAD_JSON");
        server.client("POST", "/_matrix/client/v3/user_directory/search",
                java.net.http.HttpRequest.BodyPublishers.ofString("{\"search_term\":\"a\"}")).assertError(401, "M_MISSING_TOKEN");
        u.get("/_matrix/client/v3/user_directory/search").assertError(405, "M_UNRECOGNIZED");
        // r0 serves it too.
        u.post("/_matrix/client/r0/user_directory/search", json("search_term", "ud_bad")).assertStatus(200);
    }

    @Test
    void mutualRoomsListsRoomsWhereBothAreJoined() {
        var ann = server.register("mr_ann");
        var ben = server.register("mr_ben");
        String both = room(ann, "public_chat");
        String annOnly = room(ann, "public_chat");
        String left = room(ann, "public_chat");
        ben.post("/_matrix/client/v3/join/" + enc(both), json()).assertStatus(200);
        ben.post("/_matrix/client/v3/join/" + enc(left), json()).assertStatus(200);
        ben.post("/_matrix/client/v3/rooms/" + enc(left) + "/leave", json()).assertStatus(200);

        JsonObject mutual = ann.get("/_matrix/client/v1/mutual_rooms?user_id=" + enc(ben.userId())).assertStatus(200).json();
        assertEquals(List.of(both), mutual.getJsonArray("joined").stream().map(v -> ((jakarta.json.JsonString) v).getString()).toList());
        assertEquals(1, mutual.getInt("count"));
        assertFalse(mutual.containsKey("next_batch"));
        assertFalse(mutual.toString().contains(annOnly));

        JsonObject nobody = ann.get("/_matrix/client/v1/mutual_rooms?user_id=" + enc("@nobody:" + server.serverName()))
                .assertStatus(200).json();
        assertEquals(JsonValue.EMPTY_JSON_ARRAY, nobody.getJsonArray("joined"));
        assertEquals(0, nobody.getInt("count"));

        ann.get("/_matrix/client/v1/mutual_rooms").assertError(400, "M_MISSING_PARAM");
        ann.get("/_matrix/client/v1/mutual_rooms?user_id=notauser").assertError(400, "M_INVALID_PARAM");
        ann.get("/_matrix/client/v1/mutual_rooms?user_id=" + enc(ann.userId())).assertError(400, "M_INVALID_PARAM");
        ann.get("/_matrix/client/v1/mutual_rooms?user_id=" + enc(ben.userId()) + "&from=x").assertError(400, "M_INVALID_PARAM");
        server.client("GET", "/_matrix/client/v1/mutual_rooms?user_id=" + enc(ben.userId())).assertError(401, "M_MISSING_TOKEN");
    }
}
