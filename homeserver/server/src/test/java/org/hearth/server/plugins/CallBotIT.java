package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The calls plugin's bot (plugins/calls CallBot): a user's call history as text in a DM, over real HTTP. */
class CallBotIT {
    private static final Path PLUGINS;
    private static final String HISTORY = "/_hearth/plugins/calls/history";
    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger N = new AtomicInteger();

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(PLUGINS, "calls", ">=0.5.0 & <1.0.0", Path.of("../../plugins/calls/src/main/java"),
                    Path.of("../../plugins/calls/src/main/resources"), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000");

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void send(TestServer.User user, String room, String type, JsonObject content) {
        user.put(V3 + "/rooms/" + enc(room) + "/send/" + type + "/t" + System.nanoTime(), content).assertStatus(200);
    }

    private static JsonObject invite(String callId, boolean video) {
        String sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + (video ? "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" : "");
        return json("call_id", callId, "party_id", "p1", "version", "1", "lifetime", 60_000,
                "offer", json("type", "offer", "sdp", sdp));
    }

    private static void awaitOutcome(TestServer.User user, String callId, String outcome) throws InterruptedException {
        eventually(() -> {
            for (JsonValue v : user.get(HISTORY).assertStatus(200).json().getJsonArray("calls")) {
                if (v.asJsonObject().getString("call_id").equals(callId) && v.asJsonObject().getString("outcome").equals(outcome)) {
                    return true;
                }
            }
            return null;
        });
    }

    @Test
    void theBotTellsEachSideItsCallHistoryWithMissedCalls() throws Exception {
        int n = N.incrementAndGet();
        var alice = server.register("cbalice" + n);
        var bob = server.register("cbbob" + n);
        BotChat aliceBot = BotChat.open(alice, "calls");
        assertTrue(aliceBot.ask("!help").contains("!history [n]"));
        assertEquals("You have no calls yet.", aliceBot.ask("!history"));

        String room = alice.post(V3 + "/createRoom", json("preset", "trusted_private_chat", "is_direct", true,
                "invite", Json.arrayBuilder().add(bob.userId()).build())).assertStatus(200).json().getString("room_id");
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        // An answered voice call, then a video call bob misses.
        send(alice, room, "m.call.invite", invite("talk", false));
        awaitOutcome(alice, "talk", "ringing");
        send(bob, room, "m.call.answer", json("call_id", "talk", "party_id", "p2", "version", "1",
                "answer", json("type", "answer", "sdp", "v=0")));
        awaitOutcome(alice, "talk", "ongoing");
        send(alice, room, "m.call.hangup", json("call_id", "talk", "party_id", "p1", "version", "1"));
        awaitOutcome(alice, "talk", "ended");
        Thread.sleep(5); // the second call starts later, so it is listed first
        send(alice, room, "m.call.invite", invite("nobody", true));
        awaitOutcome(alice, "nobody", "ringing");
        send(alice, room, "m.call.hangup", json("call_id", "nobody", "party_id", "p1", "version", "1"));
        awaitOutcome(alice, "nobody", "missed");

        String history = aliceBot.ask("!history");
        String[] lines = history.split("\n");
        assertEquals(3, lines.length, history);
        assertTrue(lines[1].startsWith("- MISSED video call (outgoing) from " + alice.userId() + " to " + bob.userId()
                + ": missed, started "), history);
        assertTrue(lines[1].contains(", ended ") && lines[1].endsWith("lasted 0 s"), history);
        assertTrue(lines[2].startsWith("- voice call (outgoing) from " + alice.userId() + " to " + bob.userId()
                + ": ended, started "), history);
        assertTrue(lines[2].contains(", answered ") && lines[2].contains(", ended ") && lines[2].contains("lasted "), history);

        assertEquals(2, aliceBot.ask("!history 1").split("\n").length);
        assertTrue(aliceBot.ask("!history 0").startsWith("Use !history"));
        assertTrue(aliceBot.ask("!history lots").startsWith("Use !history"));

        BotChat bobBot = BotChat.open(bob, "calls");
        String bobs = bobBot.ask("!history 5");
        assertTrue(bobs.contains("- MISSED video call (incoming) from " + alice.userId()), bobs);
        assertTrue(bobs.contains("- voice call (incoming) from " + alice.userId()), bobs);
    }
}
