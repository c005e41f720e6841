package org.hearth.server.client;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.room.Rooms;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.server.HearthServer;
import org.hearth.server.TestServer;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Requester;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The room routes on a random port over a scratch database, with a stand-in Authenticator: the access token is
 * {@code <user ID>} or {@code <user ID>/<device ID>}. Accounts and tokens are another area's; these tests are the
 * room engine's.
 */
public final class RoomsHarness implements BeforeAllCallback, AfterAllCallback {
    static final String SERVER_NAME = "test.example";
    private static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/";
    private final String scratch = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private Database database;
    private WebServer web;
    private Rooms rooms;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    static final Authenticator TOKENS_ARE_USER_IDS = new Authenticator() {
        @Override
        public Requester require(ServerRequest request) {
            return optional(request).orElseThrow(() -> new MatrixException(ErrorCode.MISSING_TOKEN, "Missing access token"));
        }

        @Override
        public Optional<Requester> optional(ServerRequest request) {
            var header = request.headers().first(io.helidon.http.HeaderNames.AUTHORIZATION);
            if (header.isEmpty()) {
                return Optional.empty();
            }
            String token = header.get().substring("Bearer ".length());
            String[] parts = token.split("/", 2);
            return Optional.of(new Requester(UserId.parse(parts[0]), parts.length > 1 ? parts[1] : "DEV", false));
        }
    };

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        admin("CREATE DATABASE " + scratch + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        database = Database.open(new DatabaseSettings(MARIADB + scratch, "root", "", 16));
        Migrations.apply(database.dataSource());
        rooms = new Rooms(database, SERVER_NAME, SigningKey.generate("a_test"), Clock.systemUTC(), EventNotifier.NONE);
        HttpRouting.Builder routing = HttpRouting.builder();
        HearthServer.roomRoutes(routing, TOKENS_ARE_USER_IDS, rooms, SERVER_NAME, RoomVersion.V12, TestServer.MAX_BODY_BYTES);
        MatrixErrors.install(routing);
        web = WebServer.builder().host("127.0.0.1").port(0).routing(routing).build().start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (web != null) {
            web.stop();
        }
        if (database != null) {
            database.close();
        }
        admin("DROP DATABASE IF EXISTS " + scratch);
    }

    Rooms rooms() {
        return rooms;
    }

    /** A client acting as {@code @localpart:test.example}. */
    Client user(String localpart) {
        return new Client("@" + localpart + ":" + SERVER_NAME, "DEV");
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    record Response(int status, String body) {
        JsonObject json() {
            return org.hearth.spec.json.Json.parseObject(body);
        }

        Response ok() {
            if (status != 200) {
                throw new AssertionError("expected 200, got " + status + ": " + body);
            }
            return this;
        }

        Response assertError(int expected, String errcode) {
            if (status != expected || !body.contains("\"errcode\":\"" + errcode + "\"")) {
                throw new AssertionError("expected " + expected + " " + errcode + ", got " + status + ": " + body);
            }
            return this;
        }
    }

    final class Client {
        final String userId;
        final String device;

        Client(String userId, String device) {
            this.userId = userId;
            this.device = device;
        }

        Client device(String deviceId) {
            return new Client(userId, deviceId);
        }

        Response get(String path) {
            return send("GET", path, null);
        }

        Response post(String path, String json) {
            return send("POST", path, json);
        }

        Response put(String path, String json) {
            return send("PUT", path, json);
        }

        Response delete(String path) {
            return send("DELETE", path, null);
        }

        Response send(String method, String path, String json) {
            String full = path.startsWith("/_matrix") ? path : "/_matrix/client/v3" + path;
            var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + web.port() + full))
                    .header("Authorization", "Bearer " + userId + "/" + device)
                    .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                    .timeout(Duration.ofSeconds(30));
            if (json != null) {
                req.header("Content-Type", "application/json");
            }
            try {
                HttpResponse<String> r = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                return new Response(r.statusCode(), r.body());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        String createRoom(String json) {
            return post("/createRoom", json).ok().json().getString("room_id");
        }

        String sendText(String room, String text) {
            String txn = "t" + System.nanoTime();
            return put("/rooms/" + enc(room) + "/send/m.room.message/" + txn,
                    "{\"msgtype\":\"m.text\",\"body\":\"" + text + "\"}").ok().json().getString("event_id");
        }
    }

    private static void admin(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(MARIADB, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
