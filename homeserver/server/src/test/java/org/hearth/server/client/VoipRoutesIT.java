package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Spec "GET /voip/turnServer" (coturn shared-secret credentials) and MSC4143 transport discovery over real HTTP. */
class VoipRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("voip.turn_uris", "turn:turn.example.org:3478?transport=udp,turns:turn.example.org:443?transport=tcp")
            .with("voip.turn_shared_secret", "s3cret")
            .with("voip.turn_user_lifetime_ms", "3600000")
            .with("voip.livekit_service_url", "https://livekit-jwt.example.org");

    @Test
    void credentialsAreCoturnSharedSecretOnes() throws Exception {
        var alice = server.register("alice");
        long before = System.currentTimeMillis() / 1000;
        for (String prefix : new String[] {"/_matrix/client/v3", "/_matrix/client/r0"}) {
            JsonObject body = alice.get(prefix + "/voip/turnServer").assertStatus(200).json();
            String username = body.getString("username");
            String[] parts = username.split(":", 2);
            assertEquals(alice.userId(), parts[1]);
            long expiry = Long.parseLong(parts[0]);
            assertTrue(expiry >= before + 3600 && expiry <= System.currentTimeMillis() / 1000 + 3600, username);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec("s3cret".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            assertEquals(Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))),
                    body.getString("password"));
            assertEquals(Json.parse("""
                    ["turn:turn.example.org:3478?transport=udp","turns:turn.example.org:443?transport=tcp"]"""),
                    body.getJsonArray("uris"));
            assertEquals(3600, body.getJsonNumber("ttl").longValue());
        }
    }

    @Test
    void needsAnAccessToken() {
        server.client("GET", "/_matrix/client/v3/voip/turnServer").assertError(401, "M_MISSING_TOKEN");
        server.client("POST", "/_matrix/client/v3/voip/turnServer", java.net.http.HttpRequest.BodyPublishers.noBody())
                .assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void liveKitFocusIsAdvertised() {
        var bob = server.register("bob");
        JsonObject focus = Json.parseObject("""
                {"type":"livekit","livekit_service_url":"https://livekit-jwt.example.org"}""");
        assertEquals(Json.arrayBuilder().add(focus).build(),
                bob.get("/_matrix/client/unstable/org.matrix.msc4143/rtc/transports").assertStatus(200).json()
                        .getJsonArray("rtc_transports"));
        assertEquals(Json.arrayBuilder().add(focus).build(),
                server.client("GET", "/.well-known/matrix/client").assertStatus(200).json()
                        .getJsonArray("org.matrix.msc4143.rtc_foci"));
        server.client("GET", "/_matrix/client/unstable/org.matrix.msc4143/rtc/transports")
                .assertError(401, "M_MISSING_TOKEN");
    }

    @RegisterExtension
    static final TestServer bare = TestServer.withScratchDatabase();

    @Test
    void turnServerIsAnEmptyObjectAndNoFocusIsAdvertised() {
        var carol = bare.register("carol");
        assertEquals(Json.objectBuilder().build(),
                carol.get("/_matrix/client/v3/voip/turnServer").assertStatus(200).json());
        assertEquals(0, carol.get("/_matrix/client/unstable/org.matrix.msc4143/rtc/transports").assertStatus(200)
                .json().getJsonArray("rtc_transports").size());
        assertFalse(bare.client("GET", "/.well-known/matrix/client").assertStatus(200).json()
                .containsKey("org.matrix.msc4143.rtc_foci"));
    }
}
