package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stories plugin (plugins/stories), built from its sources and loaded by a running server, over real HTTP. */
class StoriesIT {
    private static final Path PLUGINS;
    private static final String BASE = "/_hearth/plugins/stories";
    private static final String V3 = "/_matrix/client/v3";

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(PLUGINS, "stories", ">=0.5.0 & <1.0.0", Path.of("../../plugins/stories/src/main/java"),
                    Path.of("../../plugins/stories/src/main/resources"), Map.of("Plugin-Permissions", "act-as:*"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000")
            .with("plugin_config.stories.lifetime_ms", "6000")
            .with("plugin_config.stories.sweep_seconds", "1")
            .with("plugin_config.stories.audience_interval_ms", "1000")
            .with("plugin_config.stories.audience_batch", "3");

    private static final AtomicInteger N = new AtomicInteger();

    private static TestServer.User newUser() {
        return server.register("st" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }


    private static String membership(TestServer.User asAuthor, String room, String user) {
        var r = asAuthor.get(V3 + "/rooms/" + enc(room) + "/state/m.room.member/" + enc(user));
        return r.status() == 200 ? r.json().getString("membership") : "none";
    }

    /** The author's room, with the given viewers invited and joined. */
    private static String roomWithViewers(TestServer.User author, TestServer.User... viewers) throws InterruptedException {
        var users = Json.arrayBuilder();
        for (var v : viewers) {
            users.add(v.userId());
        }
        author.put(BASE + "/audience", json("audience", "selected", "users", users)).assertStatus(200);
        String room = author.get(BASE + "/audience").assertStatus(200).json().getString("room_id");
        for (var v : viewers) {
            eventually(() -> membership(author, room, v.userId()).equals("invite") ? true : null);
            v.post(V3 + "/join/" + enc(room), json()).assertStatus(200);
        }
        return room;
    }

    private static Set<String> memberKeys(JsonArray events) {
        Set<String> out = new HashSet<>();
        for (JsonValue v : events) {
            JsonObject e = v.asJsonObject();
            if (e.getString("type").equals("m.room.member")) {
                out.add(e.getString("state_key"));
            }
        }
        return out;
    }

    private static JsonObject syncRoom(TestServer.User user, String room) {
        JsonObject join = user.get(V3 + "/sync").assertStatus(200).json().getJsonObject("rooms").getJsonObject("join");
        return join.getJsonObject(room);
    }

    @Test
    void theStoryRoomIsLocalReadOnlyAndOfTheStoriesType() throws Exception {
        var alice = newUser();
        var bob = newUser();
        String room = roomWithViewers(alice, bob);
        JsonObject create = alice.get(V3 + "/rooms/" + enc(room) + "/state/m.room.create/").assertStatus(200).json();
        assertEquals("org.hearth.stories", create.getString("type"));
        assertFalse(create.getBoolean("m.federate"));
        bob.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/1", json("msgtype", "m.text", "body", "hi"))
                .assertError(403, "M_FORBIDDEN");
        alice.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/1", json("msgtype", "m.text", "body", "my day"))
                .assertStatus(200);
        assertEquals(room, alice.post(BASE + "/room", json()).assertStatus(200).json().getString("room_id"));
    }

    @Test
    void viewersNeverSeeEachOtherWhileTheAuthorSeesEveryone() throws Exception {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        String room = roomWithViewers(alice, bob, carol);
        String story = alice.post(BASE + "/stories", json("msgtype", "m.text", "body", "lunch")).assertStatus(200).json()
                .getString("event_id");
        carol.post(V3 + "/rooms/" + enc(room) + "/receipt/m.read/" + enc(story), json()).assertStatus(200);

        String r = V3 + "/rooms/" + enc(room);
        assertEquals(Set.of(alice.userId(), bob.userId()), memberKeys(bob.get(r + "/members").assertStatus(200).json()
                .getJsonArray("chunk")));
        assertEquals(Set.of(alice.userId(), bob.userId()), bob.get(r + "/joined_members").assertStatus(200).json()
                .getJsonObject("joined").keySet());
        assertEquals(Set.of(alice.userId(), bob.userId()), memberKeys(Json.parse(bob.get(r + "/state").assertStatus(200)
                .body()).asJsonArray()));
        bob.get(r + "/state/m.room.member/" + enc(carol.userId())).assertError(404, "M_NOT_FOUND");
        JsonObject messages = bob.get(r + "/messages?dir=b&limit=50").assertStatus(200).json();
        assertFalse(memberKeys(messages.getJsonArray("chunk")).contains(carol.userId()));

        JsonObject bobsSync = syncRoom(bob, room);
        Set<String> seen = memberKeys(bobsSync.getJsonObject("state").getJsonArray("events"));
        seen.addAll(memberKeys(bobsSync.getJsonObject("timeline").getJsonArray("events")));
        assertFalse(seen.contains(carol.userId()), "bob's sync shows carol: " + bobsSync);
        assertTrue(seen.contains(alice.userId()));
        assertFalse(bobsSync.getJsonObject("ephemeral").toString().contains(carol.userId()), bobsSync.toString());

        assertEquals(Set.of(alice.userId(), bob.userId(), carol.userId()),
                memberKeys(alice.get(r + "/members").assertStatus(200).json().getJsonArray("chunk")));
        JsonObject alicesSync = syncRoom(alice, room);
        assertTrue(alicesSync.getJsonObject("ephemeral").toString().contains(carol.userId()), alicesSync.toString());
    }

    @Test
    void viewCountsAreDistinctViewersAndOnlyForTheAuthor() throws Exception {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        String room = roomWithViewers(alice, bob, carol);
        String first = alice.post(BASE + "/stories", json("msgtype", "m.text", "body", "one")).assertStatus(200).json()
                .getString("event_id");
        String second = alice.post(BASE + "/stories", json("msgtype", "m.text", "body", "two")).assertStatus(200).json()
                .getString("event_id");
        String r = V3 + "/rooms/" + enc(room);
        bob.post(r + "/receipt/m.read/" + enc(first), json()).assertStatus(200);
        carol.post(r + "/receipt/m.read/" + enc(first), json()).assertStatus(200);
        carol.post(r + "/receipt/m.read/" + enc(second), json()).assertStatus(200);
        eventually(() -> alice.get(BASE + "/stories/" + enc(first) + "/views").json().getInt("views") == 2 ? true : null);
        eventually(() -> alice.get(BASE + "/stories/" + enc(second) + "/views").json().getInt("views") == 1 ? true : null);
        bob.get(BASE + "/stories/" + enc(first) + "/views").assertError(403, "M_FORBIDDEN");
        JsonArray mine = alice.get(BASE + "/stories").assertStatus(200).json().getJsonArray("stories");
        assertEquals(2, mine.size());
    }

    @Test
    void aViewerWhoRejectedIsNeverInvitedAgain() throws Exception {
        var alice = newUser();
        var bob = newUser();
        alice.put(BASE + "/audience", json("audience", "selected", "users", Json.arrayBuilder().add(bob.userId())))
                .assertStatus(200);
        String room = alice.get(BASE + "/audience").json().getString("room_id");
        eventually(() -> membership(alice, room, bob.userId()).equals("invite") ? true : null);
        bob.post(V3 + "/rooms/" + enc(room) + "/leave", json()).assertStatus(200);
        // A story sent from the client after the rejection: once the plugin has seen it, it has seen the rejection.
        String marker = alice.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/m1",
                json("msgtype", "m.text", "body", "marker")).assertStatus(200).json().getString("event_id");
        eventually(() -> alice.get(BASE + "/stories").json().getJsonArray("stories").toString().contains(marker) ? true : null);
        alice.put(BASE + "/audience", json("audience", "selected", "users", Json.arrayBuilder().add(bob.userId())))
                .assertStatus(200);
        eventually(() -> alice.get(BASE + "/audience").json().getBoolean("pending") ? null : true);
        assertEquals("leave", membership(alice, room, bob.userId()));
    }

    @Test
    void contactsAreTheUsersSharingADmWithTheAuthor() throws Exception {
        var alice = newUser();
        var dave = newUser();
        var stranger = newUser();
        String dm = alice.post(V3 + "/createRoom", json("is_direct", true, "invite", Json.arrayBuilder().add(dave.userId())))
                .assertStatus(200).json().getString("room_id");
        alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/m.direct",
                json(dave.userId(), Json.arrayBuilder().add(dm))).assertStatus(200);
        String room = alice.post(BASE + "/room", json()).assertStatus(200).json().getString("room_id");
        eventually(() -> membership(alice, room, dave.userId()).equals("invite") ? true : null);
        eventually(() -> alice.get(BASE + "/audience").json().getBoolean("pending") ? null : true);
        assertEquals("none", membership(alice, room, stranger.userId()));
    }

    @Test
    void everyoneInvitesEveryLocalUserAFewAtATime() throws Exception {
        var alice = newUser();
        var others = new java.util.ArrayList<TestServer.User>();
        for (int i = 0; i < 5; i++) {
            others.add(newUser());
        }
        alice.put(BASE + "/audience", json("audience", "everyone")).assertStatus(200);
        String room = alice.get(BASE + "/audience").json().getString("room_id");
        for (var other : others) {
            eventually(() -> membership(alice, room, other.userId()).equals("invite") ? true : null);
        }
        assertEquals("none", membership(alice, room, "@stories:" + server.serverName()));
    }

    @Test
    void storiesExpireAfterTheirLifetimeUnlessHighlighted() throws Exception {
        var alice = newUser();
        var bob = newUser();
        String room = roomWithViewers(alice, bob);
        String fleeting = alice.post(BASE + "/stories", json("msgtype", "m.text", "body", "fleeting")).json().getString("event_id");
        String kept = alice.post(BASE + "/stories", json("msgtype", "m.image", "body", "cat.png",
                "url", "mxc://" + server.serverName() + "/cat")).assertStatus(200).json().getString("event_id");
        alice.put(BASE + "/stories/" + enc(kept) + "/highlight", json()).assertStatus(200);
        String r = V3 + "/rooms/" + enc(room) + "/event/";
        eventually(() -> bob.get(r + enc(fleeting)).json().getJsonObject("content").isEmpty() ? true : null);
        assertEquals("cat.png", bob.get(r + enc(kept)).assertStatus(200).json().getJsonObject("content").getString("body"));
        JsonArray highlights = bob.get(BASE + "/highlights/" + enc(alice.userId())).assertStatus(200).json()
                .getJsonArray("highlights");
        assertEquals(1, highlights.size());
        assertEquals(kept, highlights.getJsonObject(0).getString("event_id"));
        newUser().get(BASE + "/highlights/" + enc(alice.userId())).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void mutingAPersonHidesTheirStoriesFromTheFeed() throws Exception {
        var alice = newUser();
        var bob = newUser();
        roomWithViewers(alice, bob);
        alice.post(BASE + "/stories", json("msgtype", "m.text", "body", "hello feed")).assertStatus(200);
        assertTrue(bob.get(BASE + "/feed").assertStatus(200).json().toString().contains("hello feed"));
        bob.put(BASE + "/mutes/" + enc(alice.userId()), json()).assertStatus(200);
        assertFalse(bob.get(BASE + "/feed").json().toString().contains("hello feed"));
        assertEquals(1, bob.get(BASE + "/mutes").json().getJsonArray("muted").size());
        bob.delete(BASE + "/mutes/" + enc(alice.userId())).assertStatus(200);
        assertTrue(bob.get(BASE + "/feed").json().toString().contains("hello feed"));
    }

    @Test
    void aReplyArrivesInTheDmWithTheAuthorQuotingTheStory() throws Exception {
        var alice = newUser();
        var bob = newUser();
        roomWithViewers(alice, bob);
        String story = alice.post(BASE + "/stories", json("msgtype", "m.text", "body", "at the beach"))
                .json().getString("event_id");
        JsonObject sent = bob.post(BASE + "/stories/" + enc(story) + "/reply", json("body", "nice!")).assertStatus(200).json();
        String dm = sent.getString("room_id");
        assertEquals("invite", membership(bob, dm, alice.userId()));
        JsonObject reply = bob.get(V3 + "/rooms/" + enc(dm) + "/event/" + enc(sent.getString("event_id")))
                .assertStatus(200).json().getJsonObject("content");
        assertTrue(reply.getString("body").contains("at the beach") && reply.getString("body").endsWith("nice!"), reply.toString());
        assertEquals(story, reply.getJsonObject("org.hearth.stories.reply_to").getString("event_id"));
        newUser().post(BASE + "/stories/" + enc(story) + "/reply", json("body", "hi")).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void theBotAnswersHelpAndPostsStoriesFromADm() throws Exception {
        var alice = newUser();
        String bot = "@stories:" + server.serverName();
        String dm = alice.post(V3 + "/createRoom", json("is_direct", true, "invite", Json.arrayBuilder().add(bot)))
                .assertStatus(200).json().getString("room_id");
        eventually(() -> membership(alice, dm, bot).equals("join") ? true : null);
        alice.put(V3 + "/rooms/" + enc(dm) + "/send/m.room.message/h1", json("msgtype", "m.text", "body", "!help"))
                .assertStatus(200);
        alice.put(V3 + "/rooms/" + enc(dm) + "/send/m.room.message/h2", json("msgtype", "m.text", "body", "!story from the bot"))
                .assertStatus(200);
        String notices = eventually(() -> {
            String chunk = alice.get(V3 + "/rooms/" + enc(dm) + "/messages?dir=b&limit=20").json().getJsonArray("chunk").toString();
            return chunk.contains("!story <text>") && chunk.contains("Posted.") ? chunk : null;
        });
        assertTrue(notices.contains("m.notice"));
        assertTrue(alice.get(BASE + "/stories").json().toString().contains("from the bot"));
    }

    @Test
    void badInputToEveryRouteIsAMatrixErrorAndNothingIsStored() throws Exception {
        var alice = newUser();
        var bob = newUser();
        alice.put(BASE + "/audience", json("audience", "friends")).assertError(400, "M_BAD_JSON");
        alice.put(BASE + "/audience", json("audience", "selected")).assertError(400, "M_INVALID_PARAM");
        alice.put(BASE + "/audience", json("audience", "selected", "users", Json.arrayBuilder().add("bob")))
                .assertError(400, "M_INVALID_PARAM");
        alice.put(BASE + "/audience", json("audience", "everyone", "users", "x")).assertError(400, "M_BAD_JSON");
        alice.post(BASE + "/stories", json("msgtype", "m.audio", "body", "x")).assertError(400, "M_BAD_JSON");
        alice.post(BASE + "/stories", json("msgtype", "m.text", "body", "")).assertError(400, "M_BAD_JSON");
        alice.post(BASE + "/stories", json("msgtype", "m.image", "body", "x", "url", "http://x")).assertError(400, "M_BAD_JSON");
        alice.get(BASE + "/audience").assertError(404, "M_NOT_FOUND"); // no room was created by any of the above
        alice.get(BASE + "/stories/%24nope/views").assertError(404, "M_NOT_FOUND");
        alice.put(BASE + "/stories/%24nope/highlight", json()).assertError(404, "M_NOT_FOUND");
        alice.post(BASE + "/stories/%24nope/reply", json("body", "x")).assertError(404, "M_NOT_FOUND");
        alice.post(BASE + "/stories/%24nope/reply", json("body", 3)).assertError(400, "M_BAD_JSON");
        alice.put(BASE + "/mutes/nobody", json()).assertError(400, "M_INVALID_PARAM");
        alice.get(BASE + "/highlights/" + enc(bob.userId())).assertError(404, "M_NOT_FOUND");
        var noBody = server.client("POST", BASE + "/stories", java.net.http.HttpRequest.BodyPublishers.noBody(),
                "Authorization", "Bearer " + alice.accessToken());
        assertEquals(400, noBody.status());
        assertEquals(0, alice.get(BASE + "/stories").json().getJsonArray("stories").size());
        assertEquals(0, alice.get(BASE + "/mutes").json().getJsonArray("muted").size());
        alice.get(BASE + "/audience").assertError(404, "M_NOT_FOUND");
    }
}
