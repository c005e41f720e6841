package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 5, "Bad input and access": a non-member never sees a room's events or state beyond what history visibility
 * allows. Every read path of the Client-Server API that takes a room or an event is asked by an outsider about a
 * private room; none may answer with its content, and each refusal has the Matrix error shape.
 */
class NonMemberReadPathsIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static final String SECRET = "the-secret-word-zanzibar";
    private static TestServer.User alice;
    private static TestServer.User eve;
    private static String room;
    private static String message;
    private static String reply;

    @BeforeAll
    static void privateRoomWithHistory() {
        alice = server.register("alice");
        eve = server.register("eve");
        room = alice.post("/_matrix/client/v3/createRoom", json("preset", "private_chat", "name", SECRET + " name",
                "topic", SECRET + " topic")).assertStatus(200).json().getString("room_id");
        message = send(json("msgtype", "m.text", "body", SECRET + " message"));
        reply = send(json("msgtype", "m.text", "body", SECRET + " in a thread",
                "m.relates_to", json("rel_type", "m.thread", "event_id", message)));
        alice.post(r("/_matrix/client/v3/rooms/", "/receipt/m.read/") + enc(reply), json()).assertStatus(200);
        alice.put(r("/_matrix/client/v3/rooms/", "/typing/") + enc(alice.userId()),
                json("typing", true, "timeout", 30000)).assertStatus(200);
    }

    private static String send(JsonObject content) {
        return alice.put(r("/_matrix/client/v3/rooms/", "/send/m.room.message/") + System.nanoTime(), content)
                .assertStatus(200).json().getString("event_id");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String r(String before, String after) {
        return before + enc(room) + after;
    }

    @Test
    void everyRoomReadPathRefusesAnOutsider() {
        Map<String, String> paths = new LinkedHashMap<>();
        paths.put("event", r("/_matrix/client/v3/rooms/", "/event/") + enc(message));
        paths.put("state", r("/_matrix/client/v3/rooms/", "/state"));
        paths.put("state/{type}", r("/_matrix/client/v3/rooms/", "/state/m.room.name"));
        paths.put("state/{type}/{key}", r("/_matrix/client/v3/rooms/", "/state/m.room.member/") + enc(alice.userId()));
        paths.put("messages", r("/_matrix/client/v3/rooms/", "/messages?dir=b"));
        paths.put("messages forward", r("/_matrix/client/v3/rooms/", "/messages?dir=f"));
        paths.put("context", r("/_matrix/client/v3/rooms/", "/context/") + enc(message));
        paths.put("members", r("/_matrix/client/v3/rooms/", "/members"));
        paths.put("joined_members", r("/_matrix/client/v3/rooms/", "/joined_members"));
        paths.put("aliases", r("/_matrix/client/v3/rooms/", "/aliases"));
        paths.put("relations", r("/_matrix/client/v1/rooms/", "/relations/") + enc(message));
        paths.put("relations by type", r("/_matrix/client/v1/rooms/", "/relations/") + enc(message) + "/m.thread");
        paths.put("threads", r("/_matrix/client/v1/rooms/", "/threads"));
        paths.put("hierarchy", r("/_matrix/client/v1/rooms/", "/hierarchy"));
        paths.put("timestamp_to_event", r("/_matrix/client/v1/rooms/", "/timestamp_to_event?dir=b&ts=")
                + (System.currentTimeMillis() + 60_000));
        paths.put("r0 event", r("/_matrix/client/r0/rooms/", "/event/") + enc(message));
        paths.put("r0 messages", r("/_matrix/client/r0/rooms/", "/messages?dir=b"));
        paths.put("r0 state", r("/_matrix/client/r0/rooms/", "/state"));
        for (var path : paths.entrySet()) {
            TestServer.Response res = eve.get(path.getValue());
            assertTrue(res.status() == 403 || res.status() == 404,
                    path.getKey() + ": expected 403 or 404, got " + res.status() + " " + res.body());
            JsonObject error = res.json();
            assertTrue(error.getString("errcode").equals("M_FORBIDDEN") || error.getString("errcode").equals("M_NOT_FOUND"),
                    path.getKey() + ": " + res.body());
            assertFalse(res.body().contains(SECRET), path.getKey() + " leaked: " + res.body());
        }
    }

    @Test
    void summaryOfAPrivateRoomTellsAnOutsiderNothing() {
        TestServer.Response res = eve.get(r("/_matrix/client/v1/room_summary/", ""));
        assertFalse(res.body().contains(SECRET), res.body());
        assertTrue(res.status() == 403 || res.status() == 404, res.status() + " " + res.body());
    }

    @Test
    void syncSearchAndNotificationsShowAnOutsiderNothingOfTheRoom() {
        String sync = eve.get("/_matrix/client/v3/sync").assertStatus(200).body();
        assertFalse(sync.contains(room), sync);
        assertFalse(sync.contains(SECRET), sync);
        JsonObject search = eve.post("/_matrix/client/v3/search", json("search_categories",
                json("room_events", json("search_term", SECRET)))).assertStatus(200).json();
        assertEquals(0, search.getJsonObject("search_categories").getJsonObject("room_events")
                .getJsonArray("results").size(), search.toString());
        // Naming the room in the filter does not open it either.
        JsonObject filtered = eve.post("/_matrix/client/v3/search", json("search_categories",
                json("room_events", json("search_term", SECRET, "filter",
                        json("rooms", jakarta.json.Json.createArrayBuilder().add(room)))))).json();
        assertFalse(filtered.toString().contains(SECRET), filtered.toString());
        String notifications = eve.get("/_matrix/client/v3/notifications").assertStatus(200).body();
        assertFalse(notifications.contains(SECRET), notifications);
        assertFalse(eve.get("/_matrix/client/v3/joined_rooms").assertStatus(200).body().contains(room));
    }

    @Test
    void anInviteeSeesOnlyTheStrippedInviteState() {
        TestServer.User carol = server.register("carol");
        alice.post(r("/_matrix/client/v3/rooms/", "/invite"), json("user_id", carol.userId())).assertStatus(200);
        String sync = carol.get("/_matrix/client/v3/sync").assertStatus(200).body();
        assertTrue(sync.contains(room), sync);
        // Invite state carries the room's name (stripped state) but never its messages.
        assertFalse(sync.contains(SECRET + " message"), sync);
        assertFalse(sync.contains(SECRET + " in a thread"), sync);
        TestServer.Response messages = carol.get(r("/_matrix/client/v3/rooms/", "/messages?dir=b"));
        assertFalse(messages.body().contains(SECRET + " message"), messages.body());
        TestServer.Response event = carol.get(r("/_matrix/client/v3/rooms/", "/event/") + enc(message));
        assertFalse(event.body().contains(SECRET), event.body());
    }
}
