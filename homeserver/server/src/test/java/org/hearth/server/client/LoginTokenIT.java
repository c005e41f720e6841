package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Spec "POST /login/get_token" and the m.login.token login; authentication discovery; the support well-known (unset). */
class LoginTokenIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static final String GET_TOKEN = "/_matrix/client/v1/login/get_token";

    private static String loginToken(TestServer.User u) {
        JsonObject challenge = u.post(GET_TOKEN, json()).assertStatus(401).json();
        assertEquals("m.login.password", challenge.getJsonArray("flows").getJsonObject(0).getJsonArray("stages").getString(0));
        JsonObject issued = u.post(GET_TOKEN, json("auth", json("type", "m.login.password",
                "session", challenge.getString("session"), "identifier", json("type", "m.id.user", "user", u.userId()),
                "password", TestServer.DEFAULT_PASSWORD))).assertStatus(200).json();
        assertEquals(120_000, issued.getJsonNumber("expires_in_ms").longValue());
        return issued.getString("login_token");
    }

    private static TestServer.Response login(String token) {
        return server.client("POST", "/_matrix/client/v3/login", HttpRequest.BodyPublishers.ofString(
                json("type", "m.login.token", "token", token, "initial_device_display_name", "phone").toString()));
    }

    @Test
    void aTokenLogsInOneMoreDeviceOnce() {
        var ann = server.register("ann");
        String token = loginToken(ann);
        JsonObject session = login(token).assertStatus(200).json();
        assertEquals(ann.userId(), session.getString("user_id"));
        assertNotEquals(ann.deviceId(), session.getString("device_id"));
        var whoami = new TestServer.User(server, ann.userId(), session.getString("device_id"), session.getString("access_token"))
                .get("/_matrix/client/v3/account/whoami").assertStatus(200).json();
        assertEquals(ann.userId(), whoami.getString("user_id"));
        assertEquals(session.getString("device_id"), whoami.getString("device_id"));
        // Single use.
        login(token).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void everyTokenNeedsItsOwnAuthentication() {
        var bob = server.register("bob");
        loginToken(bob);
        // The completed UIA session is spent: a new token asks again.
        bob.post(GET_TOKEN, json()).assertStatus(401);
        JsonObject challenge = bob.post(GET_TOKEN, json()).assertStatus(401).json();
        bob.post(GET_TOKEN, json("auth", json("type", "m.login.password", "session", challenge.getString("session"),
                "identifier", json("type", "m.id.user", "user", bob.userId()), "password", "wrong")))
                .assertError(401, "M_FORBIDDEN");
    }

    @Test
    void badTokensAndUnauthenticatedRequests() {
        login("hthl_nonsense").assertError(403, "M_FORBIDDEN");
        server.client("POST", "/_matrix/client/v3/login", HttpRequest.BodyPublishers.ofString(
                json("type", "m.login.token").toString())).assertError(400, "M_MISSING_PARAM");
        server.client("POST", GET_TOKEN, HttpRequest.BodyPublishers.ofString("{}")).assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void aDeactivatedUsersTokenDoesNotLogIn() {
        var cid = server.register("cid");
        String token = loginToken(cid);
        JsonObject first = cid.post("/_matrix/client/v3/account/deactivate", json()).assertStatus(401).json();
        cid.post("/_matrix/client/v3/account/deactivate", json("auth", json("type", "m.login.password",
                "session", first.getString("session"), "identifier", json("type", "m.id.user", "user", cid.userId()),
                "password", TestServer.DEFAULT_PASSWORD))).assertStatus(200);
        login(token).assertError(403, "M_USER_DEACTIVATED");
    }

    @Test
    void loginFlowsAndCapabilityAdvertiseIt() {
        var flows = server.client("GET", "/_matrix/client/v3/login").assertStatus(200).json().getJsonArray("flows");
        boolean offered = flows.stream().map(JsonObject.class::cast)
                .anyMatch(f -> f.getString("type").equals("m.login.token") && f.getBoolean("get_login_token", false));
        assertTrue(offered, flows.toString());
        assertTrue(flows.stream().map(JsonObject.class::cast).anyMatch(f -> f.getString("type").equals("m.login.password")));
        var dee = server.register("dee");
        assertTrue(dee.get("/_matrix/client/v3/capabilities").json().getJsonObject("capabilities")
                .getJsonObject("m.get_login_token").getBoolean("enabled"));
    }

    @Test
    void authMetadataSaysOAuthIsNotSupported() {
        server.client("GET", "/_matrix/client/v1/auth_metadata").assertError(404, "M_UNRECOGNIZED");
    }

    @Test
    void supportIsNotFoundWhenUnconfigured() {
        server.client("GET", "/.well-known/matrix/support").assertStatus(404);
    }
}
