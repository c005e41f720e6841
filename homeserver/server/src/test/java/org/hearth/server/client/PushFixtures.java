package org.hearth.server.client;

import static org.hearth.server.TestServer.json;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;

/** Rooms, messages and syncs for the push and notification ITs. */
final class PushFixtures {
    static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger N = new AtomicInteger();

    private PushFixtures() {}

    static TestServer.User newUser(TestServer server, String name) {
        return server.register(name + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A private room of {@code creator} that {@code others} joined. */
    static String room(TestServer.User creator, TestServer.User... others) {
        String room = creator.post(V3 + "/createRoom", json("preset", "private_chat")).assertStatus(200).json()
                .getString("room_id");
        for (TestServer.User other : others) {
            creator.post(V3 + "/rooms/" + enc(room) + "/invite", json("user_id", other.userId())).assertStatus(200);
            other.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        }
        return room;
    }

    static String send(TestServer.User sender, String room, String type, JsonObject content) {
        return sender.put(V3 + "/rooms/" + enc(room) + "/send/" + type + "/t" + System.nanoTime(), content)
                .assertStatus(200).json().getString("event_id");
    }

    static String message(TestServer.User sender, String room, String body) {
        return send(sender, room, "m.room.message", json("msgtype", "m.text", "body", body));
    }

    static String mention(TestServer.User sender, String room, TestServer.User target) {
        return send(sender, room, "m.room.message", json("msgtype", "m.text", "body", "hey " + target.localpart(),
                "m.mentions", json("user_ids", Json.arrayBuilder().add(target.userId()))));
    }

    static String threadReply(TestServer.User sender, String room, String root, String body) {
        return send(sender, room, "m.room.message", json("msgtype", "m.text", "body", body,
                "m.relates_to", json("rel_type", "m.thread", "event_id", root)));
    }

    static JsonObject sync(TestServer.User user, String since, String query) {
        String q = (since == null ? "" : "since=" + since + "&") + query;
        return user.get(V3 + "/sync?" + q).assertStatus(200).json();
    }

    /** The joined room's section of a sync; null when absent. */
    static JsonObject joined(JsonObject sync, String room) {
        JsonValue v = sync.getJsonObject("rooms").getJsonObject("join").get(room);
        return v == null ? null : v.asJsonObject();
    }

    static long[] counts(JsonObject joinedRoom) {
        JsonObject unread = joinedRoom.getJsonObject("unread_notifications");
        return new long[] {unread.getJsonNumber("notification_count").longValue(),
                unread.getJsonNumber("highlight_count").longValue()};
    }

    static void receipt(TestServer.User user, String room, String type, String event, String thread) {
        JsonObject body = thread == null ? json() : json("thread_id", thread);
        user.post(V3 + "/rooms/" + enc(room) + "/receipt/" + type + "/" + enc(event), body).assertStatus(200);
    }
}
