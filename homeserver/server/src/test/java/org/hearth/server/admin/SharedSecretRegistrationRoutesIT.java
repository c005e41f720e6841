package org.hearth.server.admin;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.http.HttpRequest;
import org.hearth.core.account.SharedSecretRegistration;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SharedSecretRegistrationRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("registration.open", "false");

    static TestServer.Response post(JsonObject body) {
        return server.client("POST", "/_synapse/admin/v1/register", HttpRequest.BodyPublishers.ofString(body.toString()),
                "Content-Type", "application/json");
    }

    static String nonce() {
        return server.client("GET", "/_synapse/admin/v1/register").assertStatus(200).json().getString("nonce");
    }

    @Test
    void validMacRegistersAnAdmin() {
        var root = server.registerWithSharedSecret("root", "pw", true);
        assertEquals("@root:" + server.serverName(), root.userId());
        root.get("/_matrix/client/v3/account/whoami").assertStatus(200);
        root.get("/_synapse/admin/v1/registration_tokens").assertStatus(200);
        var plain = server.registerWithSharedSecret("plain", "pw", false);
        plain.get("/_synapse/admin/v1/registration_tokens").assertError(403, "M_FORBIDDEN");
    }

    @Test
    void badMacIsForbiddenAndNonceIsSingleUse() {
        String nonce = nonce();
        String mac = SharedSecretRegistration.mac("wrong-secret", nonce, "mallory", "pw", true, null);
        post(json("nonce", nonce, "username", "mallory", "password", "pw", "admin", true, "mac", mac)).assertError(403, "M_FORBIDDEN");
        String good = SharedSecretRegistration.mac(TestServer.SHARED_SECRET, nonce, "mallory", "pw", true, null);
        post(json("nonce", nonce, "username", "mallory", "password", "pw", "admin", true, "mac", good)).assertError(400, "M_UNKNOWN");
    }

    @Test
    void nonceReuseAfterSuccessIsRefused() {
        String nonce = nonce();
        String mac = SharedSecretRegistration.mac(TestServer.SHARED_SECRET, nonce, "once", "pw", false, null);
        post(json("nonce", nonce, "username", "once", "password", "pw", "admin", false, "mac", mac)).assertStatus(200);
        String mac2 = SharedSecretRegistration.mac(TestServer.SHARED_SECRET, nonce, "twice", "pw", false, null);
        post(json("nonce", nonce, "username", "twice", "password", "pw", "admin", false, "mac", mac2)).assertError(400, "M_UNKNOWN");
    }

    @Test
    void userTypeIsPartOfTheMac() {
        String nonce = nonce();
        String mac = SharedSecretRegistration.mac(TestServer.SHARED_SECRET, nonce, "botty", "pw", false, "bot");
        post(json("nonce", nonce, "username", "botty", "password", "pw", "admin", false, "user_type", "bot", "mac", mac))
                .assertStatus(200);
    }

    @Test
    void takenAndInvalidUsernames() {
        server.registerWithSharedSecret("dup", "pw", false);
        String nonce = nonce();
        post(json("nonce", nonce, "username", "dup", "password", "pw", "admin", false,
                "mac", SharedSecretRegistration.mac(TestServer.SHARED_SECRET, nonce, "dup", "pw", false, null)))
                .assertError(400, "M_USER_IN_USE");
        String n2 = nonce();
        post(json("nonce", n2, "username", "Bad Name", "password", "pw", "admin", false,
                "mac", SharedSecretRegistration.mac(TestServer.SHARED_SECRET, n2, "Bad Name", "pw", false, null)))
                .assertError(400, "M_INVALID_USERNAME");
        post(json("username", "x")).assertError(400, "M_MISSING_PARAM");
    }

    @Test
    void registrationIsClosedHere() {
        server.client("POST", "/_matrix/client/v3/register", HttpRequest.BodyPublishers.ofString("{\"username\":\"x\"}"),
                "Content-Type", "application/json").assertError(403, "M_FORBIDDEN");
    }
}
