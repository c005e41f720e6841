package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimitIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("limits.rate_limits", "true");

    @Test
    void loginsFromOneAddressAreLimitedAfterABurst() {
        server.registerWithSharedSecret("limited", "pw", false);
        TestServer.Response last = null;
        for (int i = 0; i < 4; i++) {
            last = server.client("POST", "/_matrix/client/v3/login", HttpRequest.BodyPublishers.ofString(
                    json("type", "m.login.password", "user", "limited", "password", i == 0 ? "wrong" : "pw").toString()),
                    "Content-Type", "application/json");
        }
        last.assertError(429, "M_LIMIT_EXCEEDED");
        assertTrue(last.json().getJsonNumber("retry_after_ms").longValue() > 0);
        assertEquals("6", last.header("Retry-After"));
    }
}
