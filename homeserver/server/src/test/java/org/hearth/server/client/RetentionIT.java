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
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Message retention over real HTTP and MariaDB: expired events disappear from every read path and are purged by the
 * background job (run every 200 ms here), their media goes with them, the room keeps working.
 */
class RetentionIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("retention.enabled", "true")
            .with("retention.default_policy.max_lifetime", "2000")
            .with("retention.allowed_lifetime_min", "1000")
            .with("retention.allowed_lifetime_max", "86400000")
            .with("retention.purge_interval_ms", "200");

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String createRoom(TestServer.User user) {
        return user.post("/_matrix/client/v3/createRoom", json("preset", "private_chat")).assertStatus(200).json()
                .getString("room_id");
    }

    static String send(TestServer.User user, String room, JsonObject content) {
        return user.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/" + System.nanoTime(),
                content).assertStatus(200).json().getString("event_id");
    }

    static String say(TestServer.User user, String room, String text) {
        return send(user, room, json("msgtype", "m.text", "body", text));
    }

    static String upload(TestServer.User user, byte[] bytes) {
        return MediaRoutesIT.request(server, "POST", "/_matrix/media/v3/upload", user.accessToken(),
                HttpRequest.BodyPublishers.ofByteArray(bytes), "Content-Type", "application/octet-stream")
                .assertStatus(200).json().getString("content_uri");
    }

    static int download(TestServer.User user, String mxc) {
        return MediaRoutesIT.request(server, "GET", "/_matrix/client/v1/media/download/" + mxc.substring(6),
                user.accessToken(), HttpRequest.BodyPublishers.noBody()).status();
    }

    /** Event IDs of the m.room.message events /messages returns, newest first. */
    static List<String> messages(TestServer.User user, String room) {
        var chunk = user.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=100").assertStatus(200)
                .json().getJsonArray("chunk");
        List<String> out = new ArrayList<>();
        for (JsonValue v : chunk) {
            if (v.asJsonObject().getString("type").equals("m.room.message")) {
                out.add(v.asJsonObject().getString("event_id"));
            }
        }
        return out;
    }

    /** Event IDs of the m.room.message events in a fresh /sync timeline of the room. */
    static List<String> synced(TestServer.User user, String room) {
        var rooms = user.get("/_matrix/client/v3/sync").assertStatus(200).json().getJsonObject("rooms")
                .getJsonObject("join");
        List<String> out = new ArrayList<>();
        JsonObject timeline = rooms.getJsonObject(room).getJsonObject("timeline");
        if (timeline == null || !timeline.containsKey("events")) {
            return out;
        }
        for (JsonValue v : timeline.getJsonArray("events")) {
            if (v.asJsonObject().getString("type").equals("m.room.message")) {
                out.add(v.asJsonObject().getString("event_id"));
            }
        }
        return out;
    }

    static long notifiedMessages(TestServer.User user) {
        return user.get("/_matrix/client/v3/notifications").assertStatus(200).json().getJsonArray("notifications")
                .stream().filter(n -> n.asJsonObject().getJsonObject("event").getString("type").equals("m.room.message"))
                .count();
    }

    static String column(String sql, String eventId) {
        try (var c = server.server().database().dataSource().getConnection();
             var st = c.prepareStatement(sql)) {
            st.setString(1, eventId);
            try (var rs = st.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static boolean purged(String eventId) {
        return "1".equals(column("SELECT purged FROM events WHERE event_id = ?", eventId));
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }

    @Test
    void expiredMessagesArePurgedWithTheirMediaAndTheRoomKeepsWorking() throws Exception {
        var alice = server.register("ret_alice");
        String room = createRoom(alice);
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.retention", json("max_lifetime", 1000))
                .assertStatus(200);
        byte[] onlyHere = random(2048);
        String image = upload(alice, onlyHere);
        String sameBytes = upload(alice, onlyHere); // deduplicated: shares the file with `image`
        String thumbnail = upload(alice, random(1024));
        // The thumbnail is also the avatar of another room (a state event, never purged).
        String other = createRoom(alice);
        alice.put("/_matrix/client/v3/rooms/" + enc(other) + "/state/m.room.avatar", json("url", thumbnail))
                .assertStatus(200);

        String first = say(alice, room, "secret one");
        String withMedia = send(alice, room, json("msgtype", "m.image", "body", "cat.png", "url", image,
                "info", json("thumbnail_url", thumbnail)));
        String last = say(alice, room, "last words");
        assertTrue(messages(alice, room).contains(last), "a fresh message is visible");

        await("the purge of the expired messages", () -> purged(first) && purged(withMedia));

        // Gone from every read path (the newest one expires a moment later than the others).
        await("every message expired", () -> messages(alice, room).isEmpty());
        assertEquals(List.of(), synced(alice, room));
        for (String id : List.of(first, withMedia, last)) {
            var r = alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/event/" + enc(id));
            assertEquals(404, r.status(), r.body());
            assertEquals(404, alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/context/" + enc(id)).status());
        }
        // Pruned in the database: the content is gone, the row (and its place in the graph) stays.
        String json = column("SELECT json FROM events WHERE event_id = ?", first);
        assertFalse(json.contains("secret one"), json);
        assertTrue(json.contains("prev_events"), json);
        // The newest event is a forward extremity: kept in the database, yet hidden from clients.
        assertFalse(purged(last));
        // State stays.
        alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.retention").assertStatus(200);
        alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.create").assertStatus(200);

        // Media only the purged event referred to is deleted; a deduplicated twin and media used elsewhere stay.
        await("the deletion of the purged event's media", () -> download(alice, image) == 404);
        assertEquals(200, download(alice, sameBytes));
        assertEquals(200, download(alice, thumbnail));

        // The graph is still valid: sending works, and the new message is visible.
        String after = say(alice, room, "still here");
        assertEquals(List.of(after), messages(alice, room));
        assertEquals(List.of(after), synced(alice, room));
        // Once no longer the newest, the old extremity is purged too.
        await("the purge of the former extremity", () -> purged(last));
    }

    @Test
    void expiredEventsLeaveSearchNotificationsAndRelations() throws Exception {
        var erin = server.register("ret_erin");
        var fred = server.register("ret_fred");
        String room = createRoom(erin);
        erin.post("/_matrix/client/v3/rooms/" + enc(room) + "/invite", json("user_id", fred.userId())).assertStatus(200);
        fred.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        erin.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.retention", json("max_lifetime", 1000))
                .assertStatus(200);
        String parent = say(erin, room, "zanzibarword parent");
        String reply = send(fred, room, json("msgtype", "m.text", "body", "thread reply",
                "m.relates_to", json("rel_type", "m.thread", "event_id", parent)));
        say(erin, room, "zanzibarword newest");
        var search = json("search_categories", json("room_events", json("search_term", "zanzibarword")));
        assertEquals(2, fred.post("/_matrix/client/v3/search", search).assertStatus(200).json()
                .getJsonObject("search_categories").getJsonObject("room_events").getJsonArray("results").size());
        assertEquals(2, notifiedMessages(fred));
        await("the purge", () -> purged(parent) && purged(reply));
        await("the newest message expired", () -> messages(fred, room).isEmpty());
        assertEquals(0, fred.post("/_matrix/client/v3/search", search).assertStatus(200).json()
                .getJsonObject("search_categories").getJsonObject("room_events").getJsonArray("results").size());
        // (The invite, a state event, stays notified.)
        assertEquals(0, notifiedMessages(fred));
        assertEquals(404, fred.get("/_matrix/client/v3/rooms/" + enc(room) + "/relations/" + enc(parent)).status());
        assertEquals(0, Integer.parseInt(column("SELECT COUNT(*) FROM event_relations WHERE event_id = ?", reply)));
    }

    @Test
    void serverDefaultPolicyAppliesToRoomsWithoutRetentionState() throws Exception {
        var bob = server.register("ret_bob");
        String room = createRoom(bob);
        String message = say(bob, room, "default policy");
        say(bob, room, "newest");
        assertTrue(messages(bob, room).contains(message));
        await("the purge under the default policy", () -> purged(message));
        // "newest" expires up to a send later than "message" (seconds on a loaded machine): wait, do not assume.
        await("every message gone under the default policy", () -> messages(bob, room).isEmpty());
    }

    @Test
    void aRetentionEventWithoutMaxLifetimeFallsBackToTheDefault() throws Exception {
        var bob = server.register("ret_bob2");
        String room = createRoom(bob);
        bob.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.retention", json("min_lifetime", 10))
                .assertStatus(200);
        String message = say(bob, room, "fallback");
        say(bob, room, "newest");
        await("the purge under the default max_lifetime", () -> purged(message));
    }

    @Test
    void maxLifetimeBelowTheAllowedMinimumIsClamped() throws Exception {
        var carol = server.register("ret_carol");
        String room = createRoom(carol);
        carol.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.retention", json("max_lifetime", 1))
                .assertStatus(200);
        String message = say(carol, room, "clamped to a second");
        say(carol, room, "newest");
        // Under 1 ms it would be hidden at once; clamped to 1000 ms it is visible now and purged later.
        assertTrue(messages(carol, room).contains(message));
        assertFalse(purged(message));
        await("the purge after the clamped lifetime", () -> purged(message));
        assertFalse(messages(carol, room).contains(message));
    }

    @Test
    void invalidRetentionContentIsRefusedAndNothingIsStored() {
        var dave = server.register("ret_dave");
        String room = createRoom(dave);
        String path = "/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.retention";
        for (JsonObject bad : List.of(json("max_lifetime", "1000"), json("max_lifetime", jakarta.json.Json.createValue(1.5)),
                json("max_lifetime", true), json("min_lifetime", json()), json("max_lifetime", -5),
                json("min_lifetime", 5000, "max_lifetime", 1000))) {
            var r = dave.put(path, bad);
            assertEquals(400, r.status(), bad + ": " + r.body());
            assertEquals("M_BAD_JSON", r.json().getString("errcode"), r.body());
        }
        assertEquals("M_NOT_FOUND", dave.get(path).assertStatus(404).json().getString("errcode"));
    }
}
