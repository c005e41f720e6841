package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RegistrationRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    static TestServer.Response post(String path, JsonObject body) {
        return server.client("POST", path, HttpRequest.BodyPublishers.ofString(body.toString()), "Content-Type", "application/json");
    }

    @Test
    void firstRequestAnswersFlowsAndASession() {
        var res = post("/_matrix/client/v3/register", json("username", "flowcheck", "password", "pw"));
        assertEquals(401, res.status(), res.body());
        JsonObject body = res.json();
        assertEquals("m.login.dummy", body.getJsonArray("flows").getJsonObject(0).getJsonArray("stages").getString(0));
        assertNotNull(body.getString("session"));
        assertEquals(0, body.getJsonArray("completed").size());
        assertTrue(body.containsKey("params"));
    }

    @Test
    void dummyFlowRegistersAndLogsIn() {
        var alice = server.register("alice");
        assertEquals("@alice:" + server.serverName(), alice.userId());
        assertTrue(alice.accessToken().startsWith("hth_"));
        var whoami = alice.get("/_matrix/client/v3/account/whoami").assertStatus(200).json();
        assertEquals(alice.userId(), whoami.getString("user_id"));
        assertEquals(alice.deviceId(), whoami.getString("device_id"));
        assertFalse(whoami.getBoolean("is_guest"));
    }

    @Test
    void usernameIsLowercased() {
        var u = server.register("MixedCase");
        assertEquals("@mixedcase:" + server.serverName(), u.userId());
    }

    @Test
    void takenUsernameIsUserInUse() {
        server.register("taken");
        post("/_matrix/client/v3/register", json("username", "taken", "password", "pw")).assertError(400, "M_USER_IN_USE");
        server.client("GET", "/_matrix/client/v3/register/available?username=taken").assertError(400, "M_USER_IN_USE");
    }

    @ParameterizedTest
    @ValueSource(strings = {"with space", "é", "a:b", "", "12345"})
    void invalidUsernamesAreRefused(String name) {
        post("/_matrix/client/v3/register", json("username", name, "password", "pw")).assertError(400, "M_INVALID_USERNAME");
    }

    @Test
    void underscorePrefixIsExclusive() {
        post("/_matrix/client/v3/register", json("username", "_bridge_bot", "password", "pw")).assertError(400, "M_EXCLUSIVE");
    }

    @Test
    void availableUsername() {
        var res = server.client("GET", "/_matrix/client/v3/register/available?username=free_name").assertStatus(200);
        assertTrue(res.json().getBoolean("available"));
        server.client("GET", "/_matrix/client/r0/register/available").assertError(400, "M_MISSING_PARAM");
    }

    @Test
    void inhibitLoginAnswersOnlyTheUserId() {
        var first = post("/_matrix/client/v3/register", json("username", "inhibited", "password", "pw", "inhibit_login", true));
        var res = post("/_matrix/client/v3/register", json("username", "inhibited", "password", "pw", "inhibit_login", true,
                "auth", json("type", "m.login.dummy", "session", first.json().getString("session")))).assertStatus(200);
        assertEquals("@inhibited:" + server.serverName(), res.json().getString("user_id"));
        assertFalse(res.json().containsKey("access_token"));
    }

    @Test
    void chosenDeviceIdAndDisplayName() {
        var first = post("/_matrix/client/v3/register", json("username", "devchoice", "password", "pw"));
        var res = post("/_matrix/client/r0/register", json("username", "devchoice", "password", "pw", "device_id", "MYDEVICE",
                "initial_device_display_name", "Phone",
                "auth", json("type", "m.login.dummy", "session", first.json().getString("session")))).assertStatus(200);
        assertEquals("MYDEVICE", res.json().getString("device_id"));
        var user = new TestServer.User(server, res.json().getString("user_id"), "MYDEVICE", res.json().getString("access_token"));
        assertEquals("Phone", user.get("/_matrix/client/v3/devices/MYDEVICE").assertStatus(200).json().getString("display_name"));
    }

    @Test
    void guestsAreForbidden() {
        post("/_matrix/client/v3/register?kind=guest", json()).assertError(403, "M_GUEST_ACCESS_FORBIDDEN");
    }

    @Test
    void badBodies() {
        server.client("POST", "/_matrix/client/v3/register", HttpRequest.BodyPublishers.ofString("{nope"),
                "Content-Type", "application/json").assertError(400, "M_NOT_JSON");
        post("/_matrix/client/v3/register", json("username", 5)).assertError(400, "M_BAD_JSON");
        post("/_matrix/client/v3/register", json("username", "x1", "auth", "dummy")).assertError(400, "M_BAD_JSON");
    }

    @Test
    void unknownSessionIsRefused() {
        post("/_matrix/client/v3/register", json("username", "nosession", "password", "pw",
                "auth", json("type", "m.login.dummy", "session", "not-a-session"))).assertError(400, "M_UNKNOWN");
    }

    @Test
    void offeredStagesOnly() {
        var first = post("/_matrix/client/v3/register", json("username", "wrongstage", "password", "pw"));
        var res = post("/_matrix/client/v3/register", json("username", "wrongstage", "password", "pw",
                "auth", json("type", "m.login.password", "session", first.json().getString("session"))));
        assertEquals(401, res.status(), res.body());
        assertEquals("M_UNRECOGNIZED", res.json().getString("errcode"));
    }
}
