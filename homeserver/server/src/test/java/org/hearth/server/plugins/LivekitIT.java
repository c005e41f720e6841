package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The calls plugin's LiveKit token service (MSC4195) over real HTTP: an OpenID token of this server exchanged for a
 * LiveKit JWT checked with the API secret, the refusals (bad token, non-member, the 9th participant, bad JSON), its
 * advertisement in .well-known and rtc/transports; and group-call history from call membership events.
 */
class LivekitIT {
    private static final Path PLUGINS;
    private static final String V3 = "/_matrix/client/v3";
    private static final String SERVICE = "/_hearth/plugins/calls/public/livekit";
    private static final String SECRET = "livekit-test-secret-0123456789abcdef";
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
    @Order(1)
    static final TestServer server = TestServer.federatingOnLoopback()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000")
            .with("plugin_config.calls.livekit.url", "wss://sfu.example.org")
            .with("plugin_config.calls.livekit.api_key", "APIkey1")
            .with("plugin_config.calls.livekit.api_secret", SECRET);

    /** Another server whose users' OpenID tokens the service checks over federation. */
    @RegisterExtension
    @Order(2)
    static final TestServer other = TestServer.federatingOnLoopback();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static JsonObject openId(TestServer.User user) {
        return user.post(V3 + "/user/" + enc(user.userId()) + "/openid/request_token", json()).assertStatus(200).json();
    }

    private static TestServer.Response post(String path, String body) {
        return server.client("POST", SERVICE + path, HttpRequest.BodyPublishers.ofString(body),
                "Content-Type", "application/json");
    }

    private static String room(TestServer.User creator) {
        return creator.post(V3 + "/createRoom", json("preset", "public_chat")).assertStatus(200).json()
                .getString("room_id");
    }

    private static JsonObject claims(String jwt) throws Exception {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, jwt);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(expected, Base64.getUrlDecoder().decode(parts[2]), "signed with the API secret");
        JsonObject header = Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8));
        assertEquals("HS256", header.getString("alg"));
        return Json.parseObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    private static String hash(String... parts) throws Exception {
        var array = Json.arrayBuilder();
        for (String p : parts) {
            array.add(p);
        }
        return Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(array.build().toString().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anOpenIdTokenBuysALivekitJwtWithTheRightClaims() throws Exception {
        var alice = server.register("lalice" + N.incrementAndGet());
        String room = room(alice);
        JsonObject answer = post("/sfu/get", json("room", room, "openid_token", openId(alice), "device_id", "DEV1")
                .toString()).assertStatus(200).json();
        assertEquals("wss://sfu.example.org", answer.getString("url"));
        JsonObject claims = claims(answer.getString("jwt"));
        assertEquals("APIkey1", claims.getString("iss"));
        assertEquals(alice.userId() + ":DEV1", claims.getString("sub"));
        long now = System.currentTimeMillis() / 1000;
        long nbf = claims.getJsonNumber("nbf").longValue();
        long exp = claims.getJsonNumber("exp").longValue();
        assertTrue(nbf <= now + 5 && exp > now && exp - nbf == 3600, claims.toString());
        JsonObject video = claims.getJsonObject("video");
        assertEquals(hash(room, "m.call#ROOM"), video.getString("room"));
        assertTrue(video.getBoolean("roomJoin") && video.getBoolean("canPublish") && video.getBoolean("canSubscribe"));

        // The Matrix 2.0 shape: identity and room hashed as lk-jwt-service hashes them.
        JsonObject newer = post("/get_token", json("room_id", room, "slot_id", "m.call#ROOM", "openid_token",
                openId(alice), "member", json("id", "mem1", "claimed_user_id", alice.userId(), "claimed_device_id",
                        "DEV1")).toString()).assertStatus(200).json();
        JsonObject newerClaims = claims(newer.getString("jwt"));
        assertEquals(hash(alice.userId(), "DEV1", "mem1"), newerClaims.getString("sub"));
        assertEquals(video.getString("room"), newerClaims.getJsonObject("video").getString("room"));
    }

    @Test
    void anotherServersUserIsCheckedOverFederation() throws Exception {
        var alice = server.register("lalice" + N.incrementAndGet());
        var bob = other.register("rbob" + N.incrementAndGet());
        String room = room(alice);
        String via = server.serverName();
        bob.post(V3 + "/join/" + enc(room) + "?server_name=" + enc(via), json()).assertStatus(200);
        eventually(() -> alice.get(V3 + "/rooms/" + enc(room) + "/joined_members").assertStatus(200).json()
                .getJsonObject("joined").containsKey(bob.userId()) ? true : null);
        JsonObject token = openId(bob);
        assertEquals(other.serverName(), token.getString("matrix_server_name"));
        JsonObject answer = post("/sfu/get", json("room", room, "openid_token", token, "device_id", "RD")
                .toString()).assertStatus(200).json();
        assertEquals(bob.userId() + ":RD", claims(answer.getString("jwt")).getString("sub"));
        JsonObject forged = Json.objectBuilder(token).add("access_token", "oid_forged").build();
        post("/sfu/get", json("room", room, "openid_token", forged, "device_id", "RD").toString())
                .assertError(401, "M_UNAUTHORIZED");
    }

    @Test
    void badTokensNonMembersAndBadJsonAreRefused() {
        var alice = server.register("lalice" + N.incrementAndGet());
        var mallory = server.register("lmal" + N.incrementAndGet());
        String room = room(alice);
        JsonObject token = openId(alice);
        JsonObject forged = Json.objectBuilder(token).add("access_token", "oid_forged").build();
        post("/sfu/get", json("room", room, "openid_token", forged, "device_id", "D").toString())
                .assertError(401, "M_UNAUTHORIZED");
        JsonObject otherServer = Json.objectBuilder(token).add("matrix_server_name", "elsewhere.example").build();
        post("/sfu/get", json("room", room, "openid_token", otherServer, "device_id", "D").toString())
                .assertError(401, "M_UNAUTHORIZED");
        // A Matrix access token is not an OpenID token.
        JsonObject accessToken = Json.objectBuilder(token).add("access_token", alice.accessToken()).build();
        post("/sfu/get", json("room", room, "openid_token", accessToken, "device_id", "D").toString())
                .assertError(401, "M_UNAUTHORIZED");
        // Claiming to be someone else.
        post("/get_token", json("room_id", room, "slot_id", "m.call#ROOM", "openid_token", openId(mallory),
                "member", json("id", "m", "claimed_user_id", alice.userId(), "claimed_device_id", "D")).toString())
                .assertError(401, "M_UNAUTHORIZED");
        // Not joined to the room.
        post("/sfu/get", json("room", room, "openid_token", openId(mallory), "device_id", "D").toString())
                .assertError(403, "M_FORBIDDEN");
        post("/sfu/get", "{not json").assertError(400, "M_NOT_JSON");
        post("/sfu/get", "[1]").assertError(400, "M_BAD_JSON");
        post("/sfu/get", json("openid_token", token).toString()).assertError(400, "M_BAD_JSON");
        post("/sfu/get", json("room", room).toString()).assertError(400, "M_BAD_JSON");
        post("/get_token", json("room_id", room, "openid_token", token).toString()).assertError(400, "M_BAD_JSON");
        server.client("GET", SERVICE + "/sfu/get").assertError(405, "M_UNRECOGNIZED");
        // Preflight from a browser app on another origin.
        var preflight = server.client("OPTIONS", SERVICE + "/sfu/get");
        assertTrue(preflight.status() < 300, "preflight " + preflight.status());
        assertEquals("*", preflight.header("Access-Control-Allow-Origin"));
    }

    @Test
    void theNinthParticipantIsRefused() throws Exception {
        var alice = server.register("lalice" + N.incrementAndGet());
        String room = room(alice);
        alice.put(V3 + "/rooms/" + enc(room) + "/state/m.room.power_levels/", json("events_default", 0,
                "state_default", 0)).assertStatus(200);
        List<TestServer.User> users = new ArrayList<>();
        users.add(alice);
        for (int i = 1; i < 9; i++) {
            var u = server.register("lpart" + N.incrementAndGet());
            u.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
            users.add(u);
        }
        for (TestServer.User u : users.subList(0, 8)) {
            callMember(u, room, member(u)).assertStatus(200);
        }
        TestServer.User ninth = users.get(8);
        eventually(() -> post("/sfu/get", json("room", room, "openid_token", openId(ninth), "device_id", "D9")
                .toString()).status() == 403 ? true : null);
        post("/sfu/get", json("room", room, "openid_token", openId(ninth), "device_id", "D9").toString())
                .assertError(403, "M_FORBIDDEN");
        // One already in the call still gets a token (a reconnect).
        post("/sfu/get", json("room", room, "openid_token", openId(alice), "device_id", "D1").toString())
                .assertStatus(200);
        // Someone leaves: there is room again.
        callMember(users.get(1), room, json()).assertStatus(200);
        eventually(() -> post("/sfu/get", json("room", room, "openid_token", openId(ninth), "device_id", "D9")
                .toString()).status() == 200 ? true : null);
    }

    @Test
    void theServiceIsAdvertisedInWellKnownAndRtcTransports() {
        var alice = server.register("lalice" + N.incrementAndGet());
        JsonObject wellKnown = server.client("GET", "/.well-known/matrix/client").assertStatus(200).json();
        var foci = wellKnown.getJsonArray("org.matrix.msc4143.rtc_foci");
        assertEquals(1, foci.size(), wellKnown.toString());
        String url = foci.getJsonObject(0).getString("livekit_service_url");
        assertEquals("livekit", foci.getJsonObject(0).getString("type"));
        assertTrue(url.endsWith(SERVICE), url);
        assertTrue(url.startsWith(wellKnown.getJsonObject("m.homeserver").getString("base_url")), url);
        var transports = alice.get("/_matrix/client/unstable/org.matrix.msc4143/rtc/transports").assertStatus(200)
                .json().getJsonArray("rtc_transports");
        assertEquals(url, transports.getJsonObject(0).getString("livekit_service_url"));
    }

    static String memberKey(TestServer.User user) {
        return "_" + user.userId() + "_" + user.deviceId() + "_m.call";
    }

    static JsonObject member(TestServer.User user) {
        return json("application", "m.call", "call_id", "", "scope", "m.room", "device_id", user.deviceId(),
                "focus_active", json("type", "livekit", "focus_selection", "oldest_membership"),
                "foci_preferred", Json.arrayBuilder().build());
    }

    static TestServer.Response callMember(TestServer.User user, String room, JsonObject content) {
        return user.put(V3 + "/rooms/" + enc(room) + "/state/org.matrix.msc3401.call.member/" + enc(memberKey(user)),
                content);
    }

    static List<JsonObject> groupCalls(TestServer.User user, String room) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonValue v : user.get("/_hearth/plugins/calls/history").assertStatus(200).json().getJsonArray("calls")) {
            JsonObject call = v.asJsonObject();
            if (call.getBoolean("group", false) && call.getString("room_id").equals(room)) {
                out.add(call);
            }
        }
        return out;
    }

    @Test
    void aGroupCallIsInEachParticipantsHistory() throws Exception {
        int n = N.incrementAndGet();
        var alice = server.register("galice" + n);
        var bob = server.register("gbob" + n);
        String room = alice.post(V3 + "/createRoom", json("preset", "trusted_private_chat", "is_direct", true,
                "invite", Json.arrayBuilder().add(bob.userId()).build())).assertStatus(200).json().getString("room_id");
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        alice.put(V3 + "/rooms/" + enc(room) + "/state/m.room.power_levels/", json("events_default", 0,
                "state_default", 0)).assertStatus(200);

        // A call bob never joins: missed for him, ended for alice.
        callMember(alice, room, member(alice)).assertStatus(200);
        JsonObject ongoing = eventually(() -> groupCalls(alice, room).stream()
                .filter(c -> c.getString("outcome").equals("ongoing")).findFirst().orElse(null));
        assertEquals("outgoing", ongoing.getString("direction"));
        callMember(alice, room, json()).assertStatus(200);
        JsonObject missed = eventually(() -> groupCalls(bob, room).stream()
                .filter(c -> c.getString("outcome").equals("missed")).findFirst().orElse(null));
        assertTrue(missed.getBoolean("missed"));
        assertEquals("incoming", missed.getString("direction"));
        assertEquals(alice.userId(), missed.getString("caller"));
        assertEquals(ongoing.getString("call_id"), missed.getString("call_id"));

        // A call both join: answered by bob, ended when the last leaves.
        callMember(bob, room, member(bob)).assertStatus(200);
        callMember(alice, room, member(alice)).assertStatus(200);
        eventually(() -> groupCalls(alice, room).stream().filter(c -> c.getString("outcome").equals("ongoing")
                && c.getJsonArray("participants").size() == 2).findFirst().orElse(null));
        callMember(bob, room, json()).assertStatus(200);
        callMember(alice, room, json()).assertStatus(200);
        JsonObject ended = eventually(() -> groupCalls(alice, room).stream()
                .filter(c -> c.getString("outcome").equals("ended") && !c.getString("call_id").equals(missed
                        .getString("call_id"))).findFirst().orElse(null));
        assertEquals(bob.userId(), ended.getString("caller"));
        assertEquals("incoming", ended.getString("direction"));
        assertEquals("video", ended.getString("type"));
        assertFalse(ended.getBoolean("missed"));
        assertEquals(2, ended.getJsonArray("participants").size());
        long start = ended.getJsonNumber("start_ts").longValue();
        long join = ended.getJsonNumber("answer_ts").longValue();
        long end = ended.getJsonNumber("end_ts").longValue();
        assertTrue(start <= join && join <= end, ended.toString());
        assertEquals(end - join, ended.getJsonNumber("duration_ms").longValue());
        JsonObject bobs = eventually(() -> groupCalls(bob, room).stream()
                .filter(c -> c.getString("call_id").equals(ended.getString("call_id"))).findFirst().orElse(null));
        assertEquals("outgoing", bobs.getString("direction"));
        assertEquals("ended", bobs.getString("outcome"));
    }

    @Test
    void aMembershipThatRunsOutEndsTheCallAndFreesItsSeat() throws Exception {
        var alice = server.register("xalice" + N.incrementAndGet());
        String room = room(alice);
        callMember(alice, room, Json.objectBuilder(member(alice)).add("expires", 1000).build()).assertStatus(200);
        // Never left by the client: the plugin ends the call once the membership's expires has passed.
        JsonObject ended = eventually(() -> groupCalls(alice, room).stream()
                .filter(c -> c.getString("outcome").equals("ended")).findFirst().orElse(null));
        assertEquals(1, ended.getJsonArray("participants").size());
        assertTrue(ended.getJsonNumber("end_ts").longValue() - ended.getJsonNumber("answer_ts").longValue() >= 1000,
                ended.toString());
    }
}
