package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoginRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    static TestServer.Response post(String path, JsonObject body) {
        return server.client("POST", path, HttpRequest.BodyPublishers.ofString(body.toString()), "Content-Type", "application/json");
    }

    @Test
    void loginFlowsOfferPassword() {
        var res = server.client("GET", "/_matrix/client/v3/login").assertStatus(200);
        assertEquals("m.login.password", res.json().getJsonArray("flows").getJsonObject(0).getString("type"));
    }

    @Test
    void loginWithLocalpartFullIdAndDeprecatedUser() {
        var bob = server.register("bob");
        var a = server.login("bob", TestServer.DEFAULT_PASSWORD);
        assertEquals(bob.userId(), a.userId());
        assertNotEquals(bob.deviceId(), a.deviceId());
        var b = post("/_matrix/client/v3/login", json("type", "m.login.password",
                "identifier", json("type", "m.id.user", "user", bob.userId()), "password", TestServer.DEFAULT_PASSWORD))
                .assertStatus(200);
        assertEquals(bob.userId(), b.json().getString("user_id"));
        var c = post("/_matrix/client/r0/login", json("type", "m.login.password", "user", "bob",
                "password", TestServer.DEFAULT_PASSWORD)).assertStatus(200);
        assertEquals(server.serverName(), c.json().getString("home_server"));
    }

    @Test
    void wrongPasswordOrUnknownUserIsForbidden() {
        server.register("carol");
        post("/_matrix/client/v3/login", json("type", "m.login.password",
                "identifier", json("type", "m.id.user", "user", "carol"), "password", "wrong")).assertError(403, "M_FORBIDDEN");
        post("/_matrix/client/v3/login", json("type", "m.login.password",
                "identifier", json("type", "m.id.user", "user", "nobody"), "password", "x")).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void badLoginRequests() {
        post("/_matrix/client/v3/login", json("type", "m.login.bogus", "token", "x")).assertError(400, "M_UNKNOWN");
        post("/_matrix/client/v3/login", json("type", "m.login.password", "password", "x")).assertError(400, "M_MISSING_PARAM");
        post("/_matrix/client/v3/login", json("identifier", json("type", "m.id.user", "user", "x"))).assertError(400, "M_MISSING_PARAM");
    }

    @Test
    void tokenInQueryParameterAndMissingOrUnknownTokens() {
        var dave = server.register("dave");
        var res = server.client("GET", "/_matrix/client/v3/account/whoami?access_token=" + dave.accessToken()).assertStatus(200);
        assertEquals(dave.userId(), res.json().getString("user_id"));
        server.client("GET", "/_matrix/client/v3/account/whoami").assertError(401, "M_MISSING_TOKEN");
        var unknown = server.client("GET", "/_matrix/client/v3/account/whoami", HttpRequest.BodyPublishers.noBody(),
                "Authorization", "Bearer hth_nope").assertError(401, "M_UNKNOWN_TOKEN");
        assertFalse(unknown.json().getBoolean("soft_logout"));
    }

    @Test
    void logoutEndsTheTokenAndDevice() {
        var erin = server.register("erin");
        var other = server.login("erin", TestServer.DEFAULT_PASSWORD);
        erin.post("/_matrix/client/v3/logout", json()).assertStatus(200);
        erin.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        var devices = other.get("/_matrix/client/v3/devices").assertStatus(200).json().getJsonArray("devices");
        assertEquals(1, devices.size());
        assertEquals(other.deviceId(), devices.getJsonObject(0).getString("device_id"));
    }

    @Test
    void logoutAllEndsEveryToken() {
        var frank = server.register("frank");
        var other = server.login("frank", TestServer.DEFAULT_PASSWORD);
        frank.post("/_matrix/client/r0/logout/all", json()).assertStatus(200);
        frank.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        other.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void loginWithAnExistingDeviceIdReplacesItsToken() {
        var gina = server.register("gina");
        var again = post("/_matrix/client/v3/login", json("type", "m.login.password", "user", "gina",
                "password", TestServer.DEFAULT_PASSWORD, "device_id", gina.deviceId())).assertStatus(200);
        assertEquals(gina.deviceId(), again.json().getString("device_id"));
        gina.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void overlongDeviceIdIsInvalid() {
        server.register("ivan");
        post("/_matrix/client/v3/login", json("type", "m.login.password", "user", "ivan",
                "password", TestServer.DEFAULT_PASSWORD, "device_id", "D".repeat(300))).assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void refreshTokensRotate() {
        server.register("hank");
        var login = post("/_matrix/client/v3/login", json("type", "m.login.password", "user", "hank",
                "password", TestServer.DEFAULT_PASSWORD, "refresh_token", true)).assertStatus(200).json();
        assertTrue(login.getJsonNumber("expires_in_ms").longValue() > 0);
        String refresh = login.getString("refresh_token");
        var refreshed = post("/_matrix/client/v3/refresh", json("refresh_token", refresh)).assertStatus(200).json();
        assertNotEquals(login.getString("access_token"), refreshed.getString("access_token"));
        var user = new TestServer.User(server, login.getString("user_id"), login.getString("device_id"), refreshed.getString("access_token"));
        user.get("/_matrix/client/v3/account/whoami").assertStatus(200);
        // Used up: a second use fails, and the old access token is gone.
        post("/_matrix/client/v3/refresh", json("refresh_token", refresh)).assertError(401, "M_UNKNOWN_TOKEN");
        new TestServer.User(server, user.userId(), user.deviceId(), login.getString("access_token"))
                .get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        post("/_matrix/client/v3/refresh", json("refresh_token", refreshed.getString("refresh_token"))).assertStatus(200);
    }
}
