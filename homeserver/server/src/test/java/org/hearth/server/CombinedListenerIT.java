package org.hearth.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** listeners.combined: the Client-Server and Server-Server APIs on one TLS listener. */
class CombinedListenerIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().combined();

    @Test
    void bothApisAnswerOnTheOneTlsPort() {
        assertEquals(server.server().federationPort(), server.server().clientPort());
        assertEquals(200, server.federation("GET", "/_matrix/client/versions").status());
        assertEquals(200, server.federation("GET", "/_matrix/key/v2/server").status());
        assertEquals("*", server.federation("GET", "/_matrix/client/versions").header("Access-Control-Allow-Origin"));
    }

    @Test
    void wellKnownClientAdvertisesHttps() {
        var res = server.client("GET", "/.well-known/matrix/client");
        assertEquals("https://localhost:" + server.server().clientPort(),
                res.json().getJsonObject("m.homeserver").getString("base_url"));
    }

    @Test
    void errorsKeepTheMatrixShape() {
        server.client("GET", "/_matrix/client/v3/nothing").assertError(404, "M_UNRECOGNIZED");
        server.client("PUT", "/_matrix/key/v2/server").assertError(405, "M_UNRECOGNIZED");
    }
}
