package org.hearth.server.admin;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Registration closed, so only tokens let people in. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistrationTokenRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("registration.open", "false");

    static TestServer.Response register(JsonObject body) {
        return server.client("POST", "/_matrix/client/v3/register", HttpRequest.BodyPublishers.ofString(body.toString()),
                "Content-Type", "application/json");
    }

    static boolean valid(String token) {
        return server.client("GET", "/_matrix/client/v1/register/m.login.registration_token/validity?token=" + token)
                .assertStatus(200).json().getBoolean("valid");
    }

    @Test
    @Order(1)
    void withoutTokensRegistrationIsDisabled() {
        register(json("username", "early")).assertError(403, "M_FORBIDDEN");
    }

    @Test
    @Order(2)
    void tokenLifecycleAndRegistration() {
        var admin = server.registerWithSharedSecret("admin", "pw", true);
        var created = admin.post("/_synapse/admin/v1/registration_tokens/new", json("token", "abcd", "uses_allowed", 1))
                .assertStatus(200).json();
        assertEquals("abcd", created.getString("token"));
        assertEquals(1, created.getInt("uses_allowed"));
        assertEquals(JsonValue.NULL, created.get("expiry_time"));
        assertTrue(valid("abcd"));
        assertFalse(valid("nope"));

        var first = register(json("username", "tokenuser", "password", "pw"));
        assertEquals(401, first.status(), first.body());
        assertEquals("m.login.registration_token",
                first.json().getJsonArray("flows").getJsonObject(0).getJsonArray("stages").getString(0));
        String session = first.json().getString("session");
        var bad = register(json("username", "tokenuser", "password", "pw",
                "auth", json("type", "m.login.registration_token", "token", "nope", "session", session)));
        assertEquals(401, bad.status());
        assertEquals("M_UNAUTHORIZED", bad.json().getString("errcode"));
        register(json("username", "tokenuser", "password", "pw",
                "auth", json("type", "m.login.registration_token", "token", "abcd", "session", session))).assertStatus(200);

        var after = admin.get("/_synapse/admin/v1/registration_tokens/abcd").assertStatus(200).json();
        assertEquals(1, after.getInt("completed"));
        assertEquals(0, after.getInt("pending"));
        assertFalse(valid("abcd"));
        assertEquals(1, admin.get("/_synapse/admin/v1/registration_tokens?valid=false").json().getJsonArray("registration_tokens").size());

        var updated = admin.put("/_synapse/admin/v1/registration_tokens/abcd", json("uses_allowed", 5)).assertStatus(200).json();
        assertEquals(5, updated.getInt("uses_allowed"));
        assertTrue(valid("abcd"));
        admin.delete("/_synapse/admin/v1/registration_tokens/abcd").assertStatus(200);
        admin.get("/_synapse/admin/v1/registration_tokens/abcd").assertError(404, "M_NOT_FOUND");
        admin.delete("/_synapse/admin/v1/registration_tokens/abcd").assertError(404, "M_NOT_FOUND");
    }

    @Test
    @Order(3)
    void generatedTokensAndBadInput() {
        var admin = server.login("admin", "pw");
        var t = admin.post("/_synapse/admin/v1/registration_tokens/new", json("length", 20)).assertStatus(200).json();
        assertEquals(20, t.getString("token").length());
        admin.post("/_synapse/admin/v1/registration_tokens/new", json("token", "has space")).assertError(400, "M_INVALID_PARAM");
        admin.post("/_synapse/admin/v1/registration_tokens/new", json("uses_allowed", -1)).assertError(400, "M_INVALID_PARAM");
        admin.post("/_synapse/admin/v1/registration_tokens/new", json("expiry_time", 1L)).assertError(400, "M_INVALID_PARAM");
        admin.post("/_synapse/admin/v1/registration_tokens/new", json("token", t.getString("token"))).assertError(400, "M_INVALID_PARAM");
        server.client("GET", "/_matrix/client/v1/register/m.login.registration_token/validity").assertError(400, "M_MISSING_PARAM");
        server.client("GET", "/_synapse/admin/v1/registration_tokens").assertError(401, "M_MISSING_TOKEN");
    }
}
