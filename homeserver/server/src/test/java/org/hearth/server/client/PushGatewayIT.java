package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.hearth.server.client.PushFixtures.V3;
import static org.hearth.server.client.PushFixtures.enc;
import static org.hearth.server.client.PushFixtures.mention;
import static org.hearth.server.client.PushFixtures.message;
import static org.hearth.server.client.PushFixtures.newUser;
import static org.hearth.server.client.PushFixtures.room;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP pushers post to their push gateway (spec: Push Gateway API), here a fake one on loopback. */
class PushGatewayIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private HttpServer gateway;
    private final BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    // Scripted answers, one per request ("status body"); 200 {} once they run out.
    private final ConcurrentLinkedQueue<String> answers = new ConcurrentLinkedQueue<>();

    @BeforeEach
    void startGateway() throws IOException {
        gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/_matrix/push/v1/notify", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(Json.parseObject(new String(body, StandardCharsets.UTF_8)));
            String answer = answers.poll();
            int status = answer == null ? 200 : Integer.parseInt(answer.substring(0, 3));
            byte[] out = (answer == null ? "{}" : answer.substring(4)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        gateway.start();
    }

    @AfterEach
    void stopGateway() {
        gateway.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + gateway.getAddress().getPort() + "/_matrix/push/v1/notify";
    }

    private void addPusher(TestServer.User user, String pushkey, boolean eventIdOnly) {
        var data = Json.objectBuilder().add("url", url()).add("custom", "kept");
        if (eventIdOnly) {
            data.add("format", "event_id_only");
        }
        user.post(V3 + "/pushers/set", json("kind", "http", "app_id", "org.example.app", "pushkey", pushkey,
                "app_display_name", "App", "device_display_name", "Phone", "lang", "en", "data", data))
                .assertStatus(200);
    }

    private JsonObject next() throws InterruptedException {
        JsonObject body = received.poll(10, TimeUnit.SECONDS);
        assertNotNull(body, "the push gateway got nothing");
        return body.getJsonObject("notification");
    }

    @Test
    void aMessagePostsTheFullNotification() throws Exception {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        alice.put(V3 + "/rooms/" + enc(room) + "/state/m.room.name/", json("name", "Garden")).assertStatus(200);
        bob.put(V3 + "/profile/" + enc(bob.userId()) + "/displayname", json("displayname", "Bobby")).assertStatus(200);
        addPusher(alice, "full-key", false);
        String event = message(bob, room, "hello alice");

        JsonObject n = next();
        assertEquals(event, n.getString("event_id"));
        assertEquals(room, n.getString("room_id"));
        assertEquals("m.room.message", n.getString("type"));
        assertEquals(bob.userId(), n.getString("sender"));
        assertEquals("Bobby", n.getString("sender_display_name"));
        assertEquals("Garden", n.getString("room_name"));
        assertEquals("hello alice", n.getJsonObject("content").getString("body"));
        assertEquals("high", n.getString("prio"), "a one-to-one message has a sound");
        assertEquals(1, n.getJsonObject("counts").getInt("unread"));
        JsonObject device = n.getJsonArray("devices").getJsonObject(0);
        assertEquals("org.example.app", device.getString("app_id"));
        assertEquals("full-key", device.getString("pushkey"));
        long nowSeconds = System.currentTimeMillis() / 1000;
        assertTrue(Math.abs(device.getJsonNumber("pushkey_ts").longValue() - nowSeconds) < 600, device.toString());
        assertEquals(json("custom", "kept"), device.getJsonObject("data"), "data is forwarded without url");
        assertEquals(json("sound", "default"), device.getJsonObject("tweaks"));

        mention(bob, room, alice);
        JsonObject second = next();
        assertEquals(2, second.getJsonObject("counts").getInt("unread"));
        assertEquals(json("sound", "default", "highlight", true), second.getJsonArray("devices").getJsonObject(0)
                .getJsonObject("tweaks"));
        // Own messages are not pushed.
        message(alice, room, "mine");
        assertNull(received.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void eventIdOnlyLeavesTheEventOut() throws Exception {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        var carol = newUser(server, "carol");
        String room = room(alice, bob, carol);
        addPusher(alice, "id-only-key", true);
        String event = message(bob, room, "secret");
        JsonObject n = next();
        assertEquals(event, n.getString("event_id"));
        assertEquals(room, n.getString("room_id"));
        assertEquals("low", n.getString("prio"), "a group message has no sound");
        assertFalse(n.containsKey("content"));
        assertFalse(n.containsKey("sender"));
        assertFalse(n.containsKey("type"));
        assertEquals("event_id_only", n.getJsonArray("devices").getJsonObject(0).getJsonObject("data").getString("format"));
        assertEquals(json(), n.getJsonArray("devices").getJsonObject(0).getJsonObject("tweaks"));
    }

    @Test
    void failuresAreRetriedInOrder() throws Exception {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        addPusher(alice, "retry-key", true);
        answers.add("503 {}");
        answers.add("500 {}");
        String first = message(bob, room, "one");
        String second = message(bob, room, "two");
        assertEquals(first, next().getString("event_id"));
        assertEquals(first, next().getString("event_id"), "retried after a 503");
        assertEquals(first, next().getString("event_id"), "retried after a 500");
        assertEquals(second, next().getString("event_id"), "the next one only after the first went through");
        assertNull(received.poll(3, TimeUnit.SECONDS), "nothing sent twice once accepted");
    }

    @Test
    void queuedNotificationsSurviveARestart() throws Exception {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        addPusher(alice, "restart-key", true);
        answers.add("503 {}");
        String first = message(bob, room, "before the restart");
        assertEquals(first, next().getString("event_id"), "tried once, answered 503");
        // The retry is a second away; the process goes before it, and with it anything held only in memory.
        server.restart();
        assertEquals(first, next().getString("event_id"), "retried by the restarted server");
        String second = message(bob, room, "after the restart");
        assertEquals(second, next().getString("event_id"));
        assertNull(received.poll(3, TimeUnit.SECONDS), "nothing sent twice once accepted");
    }

    @Test
    void aRejectedPushkeyLosesItsPusher() throws Exception {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        addPusher(alice, "stale-key", true);
        answers.add("200 {\"rejected\":[\"stale-key\"]}");
        message(bob, room, "one");
        next();
        long deadline = System.currentTimeMillis() + 5000;
        while (!alice.get(V3 + "/pushers").assertStatus(200).json().getJsonArray("pushers").isEmpty()) {
            assertTrue(System.currentTimeMillis() < deadline, "the rejected pusher is still there");
            Thread.sleep(50);
        }
        message(bob, room, "two");
        assertNull(received.poll(1, TimeUnit.SECONDS));
    }
}
