package org.hearth.server.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
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
        // Only features that are on, each true: delayed events (MSC4140) are on by default.
        assertEquals(Json.objectBuilder().add("org.matrix.msc4140", true).build(), body.getJsonObject("unstable_features"));
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
    void bodyOverTheLimitIs413TooLargeBeforeRouting() throws IOException {
        // A raw socket that declares the size and sends no body: the server must answer from the declared length.
        // Sending the body too made the test flaky: the server answers and closes while the client is still
        // writing, and the client then sees a reset instead of the 413.
        try (var socket = new Socket("127.0.0.1", server.server().clientPort())) {
            socket.setSoTimeout(10_000);
            String head = "POST /_matrix/client/v3/no_such_endpoint HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + (TestServer.MAX_BODY_BYTES + 1)
                    + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            assertTrue(status != null && status.startsWith("HTTP/1.1 413"), "status line: " + status);
            int length = -1;
            boolean cors = false;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
                }
                cors |= lower.startsWith("access-control-allow-origin:") && line.endsWith("*");
            }
            assertTrue(cors, "Access-Control-Allow-Origin: * on the 413");
            assertTrue(length > 0, "a JSON body with its length");
            char[] body = new char[length];
            int read = 0;
            while (read < length) {
                int n = in.read(body, read, length - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            assertEquals("M_TOO_LARGE", Json.parseObject(new String(body, 0, read)).getString("errcode"));
        }
    }

    @Test
    void bodyAtTheLimitIsNotRefusedForItsSize() {
        byte[] body = new byte[(int) TestServer.MAX_BODY_BYTES];
        server.client("POST", "/_matrix/client/v3/no_such_endpoint", HttpRequest.BodyPublishers.ofByteArray(body),
                "Content-Type", "application/json").assertError(404, "M_UNRECOGNIZED");
    }
}
