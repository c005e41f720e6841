package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.net.http.HttpRequest;
import java.util.List;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClientApiIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    @Test
    void versionsListsStableSpecVersionsAndAnUnstableFeaturesObject() {
        var res = server.client("GET", "/_matrix/client/versions");
        assertEquals(200, res.status());
        assertTrue(res.header("Content-Type").startsWith("application/json"));
        JsonObject body = res.json();
        List<String> versions = body.getJsonArray("versions").getValuesAs(JsonString.class).stream()
                .map(JsonString::getString).toList();
        assertTrue(versions.contains("v1.1"), versions.toString());
        assertTrue(versions.stream().allMatch(v -> v.matches("v1\\.[0-9]+")), versions.toString());
        assertEquals(0, body.getJsonObject("unstable_features").size());
    }

    @Test
    void wellKnownClientPointsAtTheClientListener() {
        var res = server.client("GET", "/.well-known/matrix/client");
        assertEquals(200, res.status());
        assertEquals("http://localhost:" + server.server().clientPort(),
                res.json().getJsonObject("m.homeserver").getString("base_url"));
    }

    @Test
    void wellKnownServerNamesTheFederationPort() {
        var res = server.client("GET", "/.well-known/matrix/server");
        assertEquals(200, res.status());
        assertEquals(server.serverName(), res.json().getString("m.server"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/_matrix/client/v3/no_such_endpoint", "/_matrix/client/versions/extra", "/", "/favicon.ico",
            "/_matrix/key/v2/server"})
    void unknownPathsAre404Unrecognized(String path) {
        server.client("GET", path).assertError(404, "M_UNRECOGNIZED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void knownPathWithWrongMethodIs405Unrecognized(String method) {
        server.client(method, "/_matrix/client/versions", HttpRequest.BodyPublishers.ofString("{}"))
                .assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void corsHeadersOnAnswersAndErrors() {
        for (var res : List.of(server.client("GET", "/_matrix/client/versions"),
                server.client("GET", "/_matrix/client/v3/unknown"))) {
            assertEquals("*", res.header("Access-Control-Allow-Origin"));
            assertEquals("GET, POST, PUT, DELETE, OPTIONS", res.header("Access-Control-Allow-Methods"));
            assertEquals("X-Requested-With, Content-Type, Authorization", res.header("Access-Control-Allow-Headers"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/_matrix/client/versions", "/_matrix/client/v3/rooms/!r:x/send/m.room.message/1"})
    void optionsPreflightIsAnsweredOnAnyClientPath(String path) {
        var res = server.client("OPTIONS", path, HttpRequest.BodyPublishers.noBody(),
                "Origin", "https://app.example", "Access-Control-Request-Method", "PUT");
        assertTrue(res.status() == 200 || res.status() == 204, "status " + res.status());
        assertEquals("*", res.header("Access-Control-Allow-Origin"));
        assertEquals("GET, POST, PUT, DELETE, OPTIONS", res.header("Access-Control-Allow-Methods"));
    }

    @Test
    void bodyOverTheLimitIs413TooLargeBeforeRouting() {
        byte[] body = new byte[(int) TestServer.MAX_BODY_BYTES + 1];
        var res = server.client("POST", "/_matrix/client/v3/no_such_endpoint", HttpRequest.BodyPublishers.ofByteArray(body),
                "Content-Type", "application/json");
        res.assertError(413, "M_TOO_LARGE");
        assertEquals("*", res.header("Access-Control-Allow-Origin"));
    }

    @Test
    void bodyAtTheLimitIsNotRefusedForItsSize() {
        byte[] body = new byte[(int) TestServer.MAX_BODY_BYTES];
        server.client("POST", "/_matrix/client/v3/no_such_endpoint", HttpRequest.BodyPublishers.ofByteArray(body),
                "Content-Type", "application/json").assertError(404, "M_UNRECOGNIZED");
    }
}
