package org.hearth.server.plugins;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The receipts plugin (plugins/receipts), built from its sources and loaded by a running server, over real HTTP:
 * a device's acknowledged sync turns into an {@code org.hearth.delivered} receipt its sender sees in {@code /sync}.
 */
class DeliveryReceiptsIT {
    private static final Path PLUGINS = pluginDir();
    private static final String BASE = "/_hearth/plugins/receipts";
    private static final String DELIVERED = "org.hearth.delivered";
    private static final long WAIT_MS = 60_000;

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000");

    private static final AtomicInteger N = new AtomicInteger();

    private static Path pluginDir() {
        try {
            Path dir = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(dir, "receipts", ">=0.5.0 & <1.0.0", Path.of("../../plugins/receipts/src/main/java"),
                    Path.of("../../plugins/receipts/src/main/resources"), java.util.Map.of("Plugin-Permissions", "act-as:*"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestServer.User newUser() {
        return server.register("r" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** One client's sync position, and the delivered receipts it has seen: "eventId user". */
    private static final class Syncer {
        final TestServer.User user;
        String since;
        final Set<String> delivered = new HashSet<>();

        Syncer(TestServer.User user) {
            this.user = user;
            since = user.get("/_matrix/client/v3/sync?timeout=0").assertStatus(200).json().getString("next_batch");
        }

        JsonObject sync(long timeoutMs) {
            JsonObject answer = user.get("/_matrix/client/v3/sync?timeout=" + timeoutMs + "&since=" + enc(since))
                    .assertStatus(200).json();
            since = answer.getString("next_batch");
            JsonObject join = answer.getJsonObject("rooms") == null ? null
                    : answer.getJsonObject("rooms").getJsonObject("join");
            if (join != null) {
                for (var room : join.values()) {
                    var ephemeral = room.asJsonObject().getJsonObject("ephemeral");
                    if (ephemeral == null) {
                        continue;
                    }
                    for (JsonValue e : ephemeral.getJsonArray("events")) {
                        if (!e.asJsonObject().getString("type").equals("m.receipt")) {
                            continue;
                        }
                        e.asJsonObject().getJsonObject("content").forEach((eventId, types) -> {
                            var byUser = types.asJsonObject().getJsonObject(DELIVERED);
                            if (byUser != null) {
                                byUser.keySet().forEach(u -> delivered.add(eventId + " " + u));
                            }
                        });
                    }
                }
            }
            return answer;
        }

        void awaitDelivered(String eventId, TestServer.User from) throws InterruptedException {
            long deadline = System.currentTimeMillis() + WAIT_MS;
            while (!delivered.contains(eventId + " " + from.userId())) {
                assertTrue(System.currentTimeMillis() < deadline, "no delivered receipt from " + from.userId());
                sync(1000);
            }
        }
    }

    private static String room(TestServer.User owner, TestServer.User... members) {
        String room = owner.post("/_matrix/client/v3/createRoom", json("preset", "private_chat")).assertStatus(200)
                .json().getString("room_id");
        for (var member : members) {
            owner.post("/_matrix/client/v3/rooms/" + enc(room) + "/invite", json("user_id", member.userId()))
                    .assertStatus(200);
            member.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        }
        return room;
    }

    private static String say(TestServer.User sender, String room, String text) {
        return sender.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/t" + System.nanoTime(),
                json("msgtype", "m.text", "body", text)).assertStatus(200).json().getString("event_id");
    }

    private static String status(TestServer.User sender, String eventId) {
        return BASE + "/events/" + enc(eventId) + "/status";
    }

    /** Waits until the plugin's observer has seen the event (its sender can ask its status). */
    private static JsonObject awaitObserved(TestServer.User sender, String eventId) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true) {
            var answer = sender.get(status(sender, eventId));
            if (answer.status() == 200) {
                return answer.json().getJsonObject("recipients");
            }
            assertEquals(404, answer.status(), answer.body());
            assertTrue(System.currentTimeMillis() < deadline, "event never observed");
            Thread.sleep(100);
        }
    }

    @Test
    void aSyncTheDeviceAcknowledgesMarksTheMessageDeliveredThenRead() throws InterruptedException {
        var alice = newUser();
        var bob = newUser();
        String room = room(alice, bob);
        var aliceSync = new Syncer(alice);
        var bobSync = new Syncer(bob);

        String message = say(alice, room, "hello bob");
        assertEquals("sent", awaitObserved(alice, message).getString(bob.userId()));
        bobSync.sync(0); // carries the message: its since is from before it
        assertEquals("sent", alice.get(status(alice, message)).assertStatus(200).json()
                .getJsonObject("recipients").getString(bob.userId()));
        bobSync.sync(0); // its since covers the answer that carried the message
        aliceSync.awaitDelivered(message, bob);
        assertEquals("delivered", alice.get(status(alice, message)).assertStatus(200).json()
                .getJsonObject("recipients").getString(bob.userId()));
        // A delivered receipt is no read receipt: bob's message still counts as unread for him.
        assertEquals(1, bob.get("/_matrix/client/v3/sync?timeout=0").assertStatus(200).json().getJsonObject("rooms")
                .getJsonObject("join").getJsonObject(room).getJsonObject("unread_notifications")
                .getInt("notification_count"));

        bob.post("/_matrix/client/v3/rooms/" + enc(room) + "/receipt/m.read/" + enc(message), json()).assertStatus(200);
        assertEquals("read", alice.get(status(alice, message)).assertStatus(200).json()
                .getJsonObject("recipients").getString(bob.userId()));
        // The sender's own event gets no delivered receipt from the sender.
        bobSync.sync(0);
        assertFalse(bobSync.delivered.contains(message + " " + alice.userId()));
    }

    @Test
    void aUserWhoTurnsDeliveryReceiptsOffSendsNone() throws InterruptedException {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        String room = room(alice, bob, carol);
        var aliceSync = new Syncer(alice);
        var bobSync = new Syncer(bob);
        var carolSync = new Syncer(carol);

        assertTrue(bob.get(BASE + "/settings").assertStatus(200).json().getBoolean("delivery_receipts"));
        assertFalse(bob.put(BASE + "/settings", json("delivery_receipts", false)).assertStatus(200).json()
                .getBoolean("delivery_receipts"));

        String message = say(alice, room, "hello both");
        awaitObserved(alice, message);
        bobSync.sync(0);
        bobSync.sync(0);
        carolSync.sync(0);
        carolSync.sync(0);
        // Acknowledgements are handled in arrival order: once carol's receipt is out, bob's was handled.
        aliceSync.awaitDelivered(message, carol);
        aliceSync.sync(0);
        assertFalse(aliceSync.delivered.contains(message + " " + bob.userId()), "bob turned delivery receipts off");
        var recipients = alice.get(status(alice, message)).assertStatus(200).json().getJsonObject("recipients");
        assertEquals("sent", recipients.getString(bob.userId()));
        assertEquals("delivered", recipients.getString(carol.userId()));
        // Reciprocal, as WhatsApp does: bob sees no one's delivered status.
        String fromBob = say(bob, room, "hi");
        awaitObserved(bob, fromBob);
        carolSync.sync(0);
        carolSync.sync(0);
        aliceSync.awaitDelivered(fromBob, carol);
        assertEquals("sent", bob.get(status(bob, fromBob)).assertStatus(200).json()
                .getJsonObject("recipients").getString(carol.userId()));
    }

    @Test
    void badInputGetsTheMatrixErrorShapeAndStoresNothing() throws InterruptedException {
        var alice = newUser();
        var bob = newUser();
        String room = room(alice, bob);
        alice.put(BASE + "/settings", json("delivery_receipts", "no")).assertError(400, "M_BAD_JSON");
        alice.put(BASE + "/settings", json()).assertError(400, "M_BAD_JSON");
        alice.put(BASE + "/settings", json("delivery_receipts", false, "read_receipts", false))
                .assertError(400, "M_BAD_JSON");
        assertTrue(alice.get(BASE + "/settings").assertStatus(200).json().getBoolean("delivery_receipts"));

        alice.get(status(alice, "$nosuchevent")).assertError(404, "M_NOT_FOUND");
        String message = say(alice, room, "mine");
        awaitObserved(alice, message);
        // Only the sender may ask.
        bob.get(status(bob, message)).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void theBotTurnsDeliveryReceiptsOffAndOnAndTellsAMessagesStatus() throws InterruptedException {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        String room = room(alice, bob, carol);
        BotChat bobBot = BotChat.open(bob, "receipts");
        assertTrue(bobBot.ask("!help").contains("!delivery off"));
        assertTrue(bobBot.ask("!status").startsWith("Delivery receipts: on."));

        assertTrue(bobBot.ask("!delivery off").startsWith("Delivery receipts are off"));
        assertEquals(JsonValue.FALSE, bob.get(BASE + "/settings").assertStatus(200).json().get("delivery_receipts"));
        assertTrue(bobBot.ask("!status").startsWith("Delivery receipts: off."));
        assertTrue(bobBot.ask("!delivery maybe").startsWith("Use !delivery off or !delivery on."));
        assertEquals(JsonValue.FALSE, bob.get(BASE + "/settings").assertStatus(200).json().get("delivery_receipts"));

        // Off: bob's devices receiving alice's message posts no delivered receipt; carol's does.
        var aliceSync = new Syncer(alice);
        var bobSync = new Syncer(bob);
        var carolSync = new Syncer(carol);
        String message = say(alice, room, "hello both");
        awaitObserved(alice, message);
        // The first sync brings the message, the next acknowledges it (bob's before carol's: one queue, in order).
        bobSync.sync(0);
        bobSync.sync(0);
        carolSync.sync(0);
        carolSync.sync(0);
        aliceSync.awaitDelivered(message, carol);
        BotChat aliceBot = BotChat.open(alice, "receipts");
        String report = aliceBot.ask("!status " + message);
        assertTrue(report.contains(bob.userId() + ": sent") && report.contains(carol.userId() + ": delivered"), report);
        assertFalse(aliceSync.delivered.contains(message + " " + bob.userId()));
        // Only the sender may ask.
        assertTrue(bobBot.ask("!status " + message).startsWith("That did not work: No event"));

        assertTrue(bobBot.ask("!delivery on").startsWith("Delivery receipts are on"));
        assertEquals(JsonValue.TRUE, bob.get(BASE + "/settings").assertStatus(200).json().get("delivery_receipts"));
    }
}
