package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AccountRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    static JsonObject passwordAuth(TestServer.User u, String password, String session) {
        return json("type", "m.login.password", "identifier", json("type", "m.id.user", "user", u.userId()),
                "password", password, "session", session);
    }

    @Test
    void passwordChangeNeedsUiaAndLogsOtherDevicesOut() {
        var ann = server.register("ann");
        var laptop = server.login("ann", TestServer.DEFAULT_PASSWORD);
        var first = ann.post("/_matrix/client/v3/account/password", json("new_password", "new-secret"));
        assertEquals(401, first.status(), first.body());
        String session = first.json().getString("session");
        assertEquals("m.login.password", first.json().getJsonArray("flows").getJsonObject(0).getJsonArray("stages").getString(0));

        var wrong = ann.post("/_matrix/client/v3/account/password", json("new_password", "new-secret",
                "auth", passwordAuth(ann, "wrong", session)));
        assertEquals(401, wrong.status(), wrong.body());
        assertEquals("M_FORBIDDEN", wrong.json().getString("errcode"));
        assertEquals(session, wrong.json().getString("session"));

        ann.post("/_matrix/client/v3/account/password", json("new_password", "new-secret",
                "auth", passwordAuth(ann, TestServer.DEFAULT_PASSWORD, session))).assertStatus(200);
        ann.get("/_matrix/client/v3/account/whoami").assertStatus(200);
        laptop.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        assertEquals(1, ann.get("/_matrix/client/v3/devices").json().getJsonArray("devices").size());
        server.login("ann", "new-secret");
        server.client("POST", "/_matrix/client/v3/login", HttpRequest.BodyPublishers.ofString(json("type", "m.login.password",
                "user", "ann", "password", TestServer.DEFAULT_PASSWORD).toString())).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void passwordChangeKeepingDevices() {
        var ben = server.register("ben");
        var laptop = server.login("ben", TestServer.DEFAULT_PASSWORD);
        ben.post("/_matrix/client/v3/account/password", json("new_password", "pw2", "logout_devices", false,
                "auth", passwordAuth(ben, TestServer.DEFAULT_PASSWORD, null).entrySet().stream()
                        .filter(e -> !e.getKey().equals("session"))
                        .collect(jakarta.json.Json::createObjectBuilder, (b, e) -> b.add(e.getKey(), e.getValue()), (a, b) -> { })
                        .build())).assertStatus(200);
        laptop.get("/_matrix/client/v3/account/whoami").assertStatus(200);
    }

    @Test
    void passwordStageMustBeForTheLoggedInUser() {
        var cat = server.register("cat");
        var dan = server.register("dan");
        var first = cat.post("/_matrix/client/v3/account/password", json("new_password", "x"));
        var res = cat.post("/_matrix/client/v3/account/password", json("new_password", "x",
                "auth", passwordAuth(dan, TestServer.DEFAULT_PASSWORD, first.json().getString("session"))));
        assertEquals(401, res.status());
        assertEquals("M_FORBIDDEN", res.json().getString("errcode"));
    }

    @Test
    void sessionIsBoundToItsOperationAndUser() {
        var eve = server.register("eve");
        var fay = server.register("fay");
        String session = eve.post("/_matrix/client/v3/account/password", json("new_password", "x")).json().getString("session");
        fay.post("/_matrix/client/v3/account/password", json("new_password", "x",
                "auth", passwordAuth(fay, TestServer.DEFAULT_PASSWORD, session))).assertError(403, "M_FORBIDDEN");
        eve.post("/_matrix/client/v3/account/deactivate", json(
                "auth", passwordAuth(eve, TestServer.DEFAULT_PASSWORD, session))).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void deactivationEndsLoginsAndFreesNothing() {
        var gil = server.register("gil");
        var first = gil.post("/_matrix/client/v3/account/deactivate", json());
        assertEquals(401, first.status());
        var res = gil.post("/_matrix/client/v3/account/deactivate", json("erase", true,
                "auth", passwordAuth(gil, TestServer.DEFAULT_PASSWORD, first.json().getString("session")))).assertStatus(200);
        assertEquals("no-support", res.json().getString("id_server_unbind_result"));
        gil.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
        server.client("POST", "/_matrix/client/v3/login", HttpRequest.BodyPublishers.ofString(json("type", "m.login.password",
                "user", "gil", "password", TestServer.DEFAULT_PASSWORD).toString())).assertError(403, "M_FORBIDDEN");
        // The user ID stays taken: reusing it would hand the old user's rooms and history to someone else.
        server.client("GET", "/_matrix/client/v3/register/available?username=gil").assertError(400, "M_USER_IN_USE");
        var profile = server.client("GET", "/_matrix/client/v3/profile/" + gil.userId()).assertStatus(200).json();
        assertTrue(profile.isEmpty(), profile.toString());
    }

    @Test
    void noThirdPartyIdentifiers() {
        var ida = server.register("ida");
        assertEquals(0, ida.get("/_matrix/client/v3/account/3pid").assertStatus(200).json().getJsonArray("threepids").size());
    }

    @Test
    void wrongMethodIs405() {
        var hal = server.register("hal");
        hal.post("/_matrix/client/v3/account/whoami", json()).assertError(405, "M_UNRECOGNIZED");
    }
}
