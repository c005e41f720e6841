package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The calls plugin (plugins/calls), built from its sources and loaded by a running server: call history derived
 * from m.call.* events, and a missed call's notice pushed through the facade's pushNotification to a real HTTP
 * pusher (a fake push gateway on loopback).
 */
class CallsIT {
    private static final Path PLUGINS;
    private static final String HISTORY = "/_hearth/plugins/calls/history";
    private static final String V3 = "/_matrix/client/v3";
    private static final AtomicInteger N = new AtomicInteger();

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(PLUGINS, "calls", ">=0.5.0 & <1.0.0", Path.of("../../plugins/calls/src/main/java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000")
            .with("plugin_config.calls.max_participants", "2");

    private static HttpServer gateway;
    private static final BlockingQueue<JsonObject> pushed = new LinkedBlockingQueue<>();

    @BeforeAll
    static void startGateway() throws IOException {
        gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/_matrix/push/v1/notify", exchange -> {
            pushed.add(Json.parseObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] out = "{}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        gateway.start();
    }

    @AfterAll
    static void stopGateway() {
        gateway.stop(0);
    }

    private record Dm(TestServer.User alice, TestServer.User bob, String room) {}

    private static Dm dm() {
        int n = N.incrementAndGet();
        var alice = server.register("calice" + n);
        var bob = server.register("cbob" + n);
        String room = alice.post(V3 + "/createRoom", json("preset", "trusted_private_chat", "is_direct", true,
                "invite", Json.arrayBuilder().add(bob.userId()).build())).assertStatus(200).json().getString("room_id");
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        return new Dm(alice, bob, room);
    }

    private static void send(TestServer.User user, String room, String type, JsonObject content) {
        user.put(V3 + "/rooms/" + enc(room) + "/send/" + type + "/t" + System.nanoTime(), content).assertStatus(200);
    }

    private static JsonObject invite(String callId, boolean video, long lifetime) {
        String sdp = "v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" + (video ? "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n" : "");
        return json("call_id", callId, "party_id", "p1", "version", "1", "lifetime", lifetime,
                "offer", json("type", "offer", "sdp", sdp));
    }

    /** The user's history entry for the call once its outcome is {@code outcome}. */
    private static JsonObject entry(TestServer.User user, String callId, String outcome) throws InterruptedException {
        return eventually(() -> {
            for (JsonValue v : user.get(HISTORY).assertStatus(200).json().getJsonArray("calls")) {
                JsonObject call = v.asJsonObject();
                if (call.getString("call_id").equals(callId) && call.getString("outcome").equals(outcome)) {
                    return call;
                }
            }
            return null;
        });
    }

    @Test
    void anAnsweredCallHasItsTimesAndDuration() throws Exception {
        Dm dm = dm();
        send(dm.alice(), dm.room(), "m.call.invite", invite("answered", false, 60_000));
        JsonObject ringing = entry(dm.bob(), "answered", "ringing");
        assertEquals("incoming", ringing.getString("direction"));
        send(dm.bob(), dm.room(), "m.call.answer", json("call_id", "answered", "party_id", "p2", "version", "1",
                "answer", json("type", "answer", "sdp", "v=0")));
        entry(dm.alice(), "answered", "ongoing");
        send(dm.alice(), dm.room(), "m.call.hangup", json("call_id", "answered", "party_id", "p1", "version", "1"));
        JsonObject call = entry(dm.alice(), "answered", "ended");
        assertEquals("outgoing", call.getString("direction"));
        assertEquals(dm.alice().userId(), call.getString("caller"));
        assertEquals(dm.bob().userId(), call.getString("callee"));
        assertEquals("voice", call.getString("type"));
        assertFalse(call.getBoolean("missed"));
        long start = call.getJsonNumber("start_ts").longValue();
        long answer = call.getJsonNumber("answer_ts").longValue();
        long end = call.getJsonNumber("end_ts").longValue();
        assertTrue(start <= answer && answer <= end, call.toString());
        assertEquals(end - answer, call.getJsonNumber("duration_ms").longValue());
        // A replayed or repeated hangup changes nothing.
        send(dm.bob(), dm.room(), "m.call.hangup", json("call_id", "answered", "party_id", "p2", "version", "1"));
        Thread.sleep(500);
        assertEquals(call, entry(dm.alice(), "answered", "ended"));
    }

    @Test
    void aRejectedCallIsDeclinedNotMissed() throws Exception {
        Dm dm = dm();
        send(dm.alice(), dm.room(), "m.call.invite", invite("rejected", true, 60_000));
        entry(dm.bob(), "rejected", "ringing");
        send(dm.bob(), dm.room(), "m.call.reject", json("call_id", "rejected", "party_id", "p2", "version", "1"));
        JsonObject call = entry(dm.bob(), "rejected", "declined");
        assertEquals("video", call.getString("type"));
        assertFalse(call.getBoolean("missed"));
        assertEquals(0, call.getJsonNumber("duration_ms").longValue());
    }

    @Test
    void aMissedCallPostsANoticeAndPushesIt() throws Exception {
        Dm dm = dm();
        dm.bob().post(V3 + "/pushers/set", json("kind", "http", "app_id", "org.example.app", "pushkey", "bob-phone",
                "app_display_name", "App", "device_display_name", "Phone", "lang", "en",
                "data", json("url", "http://127.0.0.1:" + gateway.getAddress().getPort() + "/_matrix/push/v1/notify")))
                .assertStatus(200);
        send(dm.alice(), dm.room(), "m.call.invite", invite("missed", true, 60_000));
        entry(dm.bob(), "missed", "ringing");
        pushed.clear(); // the invite itself may have been pushed by the push rules
        send(dm.alice(), dm.room(), "m.call.hangup", json("call_id", "missed", "party_id", "p1", "version", "1"));
        JsonObject call = entry(dm.bob(), "missed", "missed");
        assertTrue(call.getBoolean("missed"));
        assertEquals("incoming", call.getString("direction"));

        JsonObject notice = eventually(() -> {
            var chunk = dm.bob().get(V3 + "/rooms/" + enc(dm.room()) + "/messages?dir=b&limit=10").assertStatus(200)
                    .json().getJsonArray("chunk");
            for (JsonValue v : chunk) {
                JsonObject e = v.asJsonObject();
                if (e.getString("type").equals("m.room.message")
                        && e.getJsonObject("content").getString("msgtype", "").equals("m.notice")) {
                    return e;
                }
            }
            return null;
        });
        assertEquals(dm.alice().userId(), notice.getString("sender"));
        assertTrue(notice.getJsonObject("content").getString("body").startsWith("Missed video call from "), notice.toString());
        // The hangup and the notice may both be pushed by the rules; the plugin's push is the notice's.
        boolean noticePushed = false;
        for (int i = 0; i < 5 && !noticePushed; i++) {
            JsonObject body = pushed.poll(30, TimeUnit.SECONDS);
            assertNotNull(body, "the push gateway got no notice");
            noticePushed = notice.getString("event_id").equals(body.getJsonObject("notification").getString("event_id", ""));
        }
        assertTrue(noticePushed);
    }

    @Test
    void anInviteThatTimesOutIsMissed() throws Exception {
        Dm dm = dm();
        send(dm.alice(), dm.room(), "m.call.invite", invite("timeout", false, 1_000));
        JsonObject call = entry(dm.alice(), "timeout", "missed");
        assertEquals("outgoing", call.getString("direction"));
        assertTrue(call.getBoolean("missed"));
    }

    private static String memberKey(TestServer.User user) {
        return "_" + user.userId() + "_" + user.deviceId() + "_m.call";
    }

    private static TestServer.Response callMember(TestServer.User user, String room, JsonObject content) {
        return user.put(V3 + "/rooms/" + enc(room) + "/state/org.matrix.msc3401.call.member/" + enc(memberKey(user)),
                content);
    }

    /** The plugin's observers see events in stream order: once a later invite is in the history, all before it are seen. */
    private static void observed(Dm dm) throws InterruptedException {
        String marker = "marker" + System.nanoTime();
        send(dm.alice(), dm.room(), "m.call.invite", invite(marker, false, 60_000));
        entry(dm.alice(), marker, "ringing");
    }

    @Test
    void aFullGroupCallRefusesAnotherParticipant() throws Exception {
        Dm dm = dm();
        var carol = server.register("ccarol" + N.incrementAndGet());
        dm.alice().post(V3 + "/rooms/" + enc(dm.room()) + "/invite", json("user_id", carol.userId())).assertStatus(200);
        carol.post(V3 + "/rooms/" + enc(dm.room()) + "/join", json()).assertStatus(200);
        dm.alice().put(V3 + "/rooms/" + enc(dm.room()) + "/state/m.room.power_levels/", json(
                "events_default", 0, "state_default", 0)).assertStatus(200);
        JsonObject joined = json("application", "m.call", "call_id", "", "scope", "m.room", "device_id", "D",
                "focus_active", json("type", "livekit", "focus_selection", "oldest_membership"),
                "foci_preferred", Json.arrayBuilder().build());
        callMember(dm.alice(), dm.room(), joined).assertStatus(200);
        callMember(dm.bob(), dm.room(), joined).assertStatus(200);
        observed(dm);

        callMember(carol, dm.room(), joined).assertError(403, "M_FORBIDDEN");
        carol.get(V3 + "/rooms/" + enc(dm.room()) + "/state/org.matrix.msc3401.call.member/" + enc(memberKey(carol)))
                .assertError(404, "M_NOT_FOUND");
        // Leaving always passes; then there is room again.
        callMember(carol, dm.room(), json()).assertStatus(200);
        callMember(dm.bob(), dm.room(), json()).assertStatus(200);
        observed(dm);
        callMember(carol, dm.room(), joined).assertStatus(200);
        // A member already in the call may update its own membership.
        callMember(dm.alice(), dm.room(), joined).assertStatus(200);
    }

    @Test
    void badInputGetsTheMatrixErrorShape() {
        var carol = server.register("ccarol" + N.incrementAndGet());
        for (String limit : new String[] {"0", "501", "ten", "-1"}) {
            carol.get(HISTORY + "?limit=" + limit).assertError(400, "M_INVALID_PARAM");
        }
        server.client("GET", HISTORY).assertError(401, "M_MISSING_TOKEN");
        assertEquals(0, carol.get(HISTORY).assertStatus(200).json().getJsonArray("calls").size());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

}
