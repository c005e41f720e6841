package org.hearth.server;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.hearth.server.config.HearthConfig;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hearth on random ports for one test class, driven over real HTTP. The database is a scratch
 * {@code hearth_test_<epoch seconds>_<random>} on the MariaDB at 127.0.0.1:3306 (root, empty password) when
 * it answers, else the embedded MariaDB; the scratch database is dropped at the end, and ones older than a
 * day (left by killed runs) at the start.
 */
public final class TestServer implements BeforeAllCallback, AfterAllCallback {
    static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/";
    /** Small, so the 413 test need not send 50 MiB. */
    public static final long MAX_BODY_BYTES = 65_536;
    private static final Pattern SCRATCH = Pattern.compile("hearth_test_([0-9]{10})_[0-9a-f]+");

    /** {@code registration.shared_secret} of every test server, for Synapse's admin registration. */
    public static final String SHARED_SECRET = "test-shared-secret";
    /** The password {@link #register(String)} gives users. */
    public static final String DEFAULT_PASSWORD = "correct horse battery staple";

    private final boolean forceEmbedded;
    private final Map<String, String> extraConfig = new HashMap<>();
    private final Map<String, java.util.function.Supplier<Map<String, String>>> lateConfig = new java.util.LinkedHashMap<>();
    private boolean combined;
    private Path dataDir;
    private String scratchDatabase;
    private HearthServer server;
    private HearthConfig config;
    private HttpClient http;

    private TestServer(boolean forceEmbedded) {
        this.forceEmbedded = forceEmbedded;
    }

    /** The external MariaDB when it answers, else the embedded one. */
    public static TestServer withScratchDatabase() {
        return new TestServer(false);
    }

    /** Always the embedded MariaDB, in a fresh data directory: the path of a first run on a new machine. */
    public static TestServer withEmbeddedDatabase() {
        return new TestServer(true);
    }

    /** Both APIs on the one TLS listener ({@code listeners.combined}). */
    public TestServer combined() {
        this.combined = true;
        return this;
    }

    /**
     * Sets a config key before the server starts (e.g. {@code with("registration.open", "false")}). Defaults of test
     * servers: open registration, {@link #SHARED_SECRET}, cheap password hashes, no rate limits.
     */
    public TestServer with(String key, String value) {
        extraConfig.put(key, value);
        return this;
    }

    /** A scratch-database server federating on loopback with self-signed certificates (both test-network switches). */
    public static TestServer federatingOnLoopback() {
        return withScratchDatabase().with("federation.verify_tls", "false").with("federation.allow_private_addresses", "true");
    }

    /**
     * Config keys computed when the server starts, e.g. from another test server started before it (order the
     * extensions with {@code @Order}).
     */
    public TestServer withLate(String name, java.util.function.Supplier<Map<String, String>> keysAndValues) {
        lateConfig.put(name, keysAndValues);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path target = Path.of("target");
        Files.createDirectories(target);
        dataDir = Files.createTempDirectory(target.toAbsolutePath(), "hearth-it-");
        // The server name carries the federation port, so that port is chosen before start (a tiny race with
        // other processes, accepted in tests); the client listener takes any free port itself.
        int federationPort = freePort();
        Map<String, String> overrides = new HashMap<>();
        overrides.put("server_name", "localhost:" + federationPort);
        overrides.put("data_dir", dataDir.toString());
        overrides.put("listeners.client.port", "0");
        overrides.put("listeners.client.bind_address", "127.0.0.1");
        overrides.put("listeners.federation.port", Integer.toString(federationPort));
        overrides.put("listeners.federation.bind_address", "127.0.0.1");
        overrides.put("limits.max_request_body_bytes", Long.toString(MAX_BODY_BYTES));
        overrides.put("limits.rate_limits", "off");
        overrides.put("listeners.combined", Boolean.toString(combined));
        overrides.put("registration.open", "true");
        overrides.put("registration.shared_secret", SHARED_SECRET);
        // Argon2id at its real cost is ~165 ms a hash: a few hundred test users would burn a minute of CPU.
        overrides.put("security.password_hash_cost", "test");
        overrides.putAll(extraConfig);
        lateConfig.values().forEach(late -> overrides.putAll(late.get()));
        if (!forceEmbedded && externalMariaDbAnswers()) {
            dropStaleScratchDatabases(Instant.now().minus(Duration.ofDays(1)));
            scratchDatabase = "hearth_test_" + Instant.now().getEpochSecond() + "_"
                    + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
            admin("CREATE DATABASE " + scratchDatabase + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
            overrides.put("database.type", "external");
            overrides.put("database.url", MARIADB + scratchDatabase);
            overrides.put("database.user", "root");
            overrides.put("database.password", "");
        }
        config = DataDirectory.prepare(Optional.empty(), overrides);
        server = HearthServer.start(config, "test", new Lifecycle());
        http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .sslContext(trustAll())
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
        if (scratchDatabase != null) {
            admin("DROP DATABASE IF EXISTS " + scratchDatabase);
        }
        // An embedded run leaves ~500 MB (MariaDB binaries and data); nothing in it is needed after the class.
        if (dataDir != null) {
            try (var walk = Files.walk(dataDir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    public HearthServer server() {
        return server;
    }

    /** Stops the server and starts it again on the same database and ports (as an operator's restart). */
    public void restart() {
        server.close();
        server = HearthServer.start(config, "test", new Lifecycle());
    }

    /** Stops the server; {@link #start} brings it back on the same database, data directory and ports. */
    public void stop() {
        server.close();
        server = null;
    }

    public void start() {
        server = HearthServer.start(config, "test", new Lifecycle());
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The server's own signing key, as its data directory holds it: for tests that forge or co-sign as it. */
    public org.hearth.spec.crypto.SigningKey signingKey() {
        try {
            return org.hearth.spec.crypto.SigningKeyFile.read(Files.readString(
                    dataDir.resolve(serverName() + ".signing.key"))).getFirst();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Optional<String> scratchDatabase() {
        return Optional.ofNullable(scratchDatabase);
    }

    public String serverName() {
        return server.serverName();
    }

    /** A request to the client listener (plain HTTP; TLS when combined). */
    public Response client(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        String base = combined ? "https://localhost:" : "http://127.0.0.1:";
        return send(method, URI.create(base + server.clientPort() + path), body, headers);
    }

    public Response client(String method, String path) {
        return client(method, path, HttpRequest.BodyPublishers.noBody());
    }

    /** A request to the federation listener over TLS, trusting its self-signed certificate. */
    public Response federation(String method, String path) {
        return send(method, URI.create("https://localhost:" + server.federationPort() + path),
                HttpRequest.BodyPublishers.noBody());
    }

    /** A request to the federation listener with a body and headers (name, value, ...). */
    public Response federation(String method, String path, HttpRequest.BodyPublisher body, String... headers) {
        return send(method, URI.create("https://localhost:" + server.federationPort() + path), body, headers);
    }

    private Response send(String method, URI uri, HttpRequest.BodyPublisher body, String... headers) {
        var request = HttpRequest.newBuilder(uri).method(method, body).timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers {@code localpart} (password {@link #DEFAULT_PASSWORD}) through {@code POST /register} with the
     * m.login.dummy flow (needs open registration, the default) and returns the logged-in user.
     */
    public User register(String localpart) {
        return register(localpart, DEFAULT_PASSWORD);
    }

    public User register(String localpart, String password) {
        String body = json("username", localpart, "password", password).toString();
        Response first = client("POST", "/_matrix/client/v3/register", HttpRequest.BodyPublishers.ofString(body),
                "Content-Type", "application/json");
        if (first.status() != 401) {
            throw new AssertionError("register " + localpart + ": expected 401 with flows, got " + first.status() + ": " + first.body());
        }
        String session = first.json().getString("session");
        JsonObject complete = Json.objectBuilder(Json.parseObject(body))
                .add("auth", json("type", "m.login.dummy", "session", session)).build();
        Response done = client("POST", "/_matrix/client/v3/register",
                HttpRequest.BodyPublishers.ofString(complete.toString()), "Content-Type", "application/json").assertStatus(200);
        return user(done.json());
    }

    /** Logs in with a password on a new device. */
    public User login(String localpart, String password) {
        Response res = client("POST", "/_matrix/client/v3/login", HttpRequest.BodyPublishers.ofString(json(
                "type", "m.login.password", "identifier", json("type", "m.id.user", "user", localpart),
                "password", password).toString()), "Content-Type", "application/json").assertStatus(200);
        return user(res.json());
    }

    /** Registers through Synapse's shared-secret admin API; {@code admin} users may use the admin APIs. */
    public User registerWithSharedSecret(String localpart, String password, boolean admin) {
        String nonce = client("GET", "/_synapse/admin/v1/register").assertStatus(200).json().getString("nonce");
        String mac = org.hearth.core.account.SharedSecretRegistration.mac(SHARED_SECRET, nonce, localpart, password, admin, null);
        Response res = client("POST", "/_synapse/admin/v1/register", HttpRequest.BodyPublishers.ofString(json(
                "nonce", nonce, "username", localpart, "password", password, "admin", admin, "mac", mac).toString()),
                "Content-Type", "application/json").assertStatus(200);
        return user(res.json());
    }

    private User user(JsonObject login) {
        return new User(this, login.getString("user_id"), login.getString("device_id"), login.getString("access_token"));
    }

    /** Polls {@code probe} every 100 ms until it gives a value (not null); fails after 60 s. */
    public static <T> T eventually(java.util.function.Supplier<T> probe) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not within 60 s");
    }

    /** A JSON object from key/value pairs: values may be String, Boolean, Integer, Long or any JsonValue (null: JSON null). */
    public static JsonObject json(Object... keysAndValues) {
        var b = Json.objectBuilder();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            String key = (String) keysAndValues[i];
            Object v = keysAndValues[i + 1];
            switch (v) {
                case null -> b.addNull(key);
                case String s -> b.add(key, s);
                case Boolean bool -> b.add(key, bool);
                case Integer n -> b.add(key, n);
                case Long n -> b.add(key, n);
                case jakarta.json.JsonValue j -> b.add(key, j);
                case jakarta.json.JsonObjectBuilder j -> b.add(key, j);
                case jakarta.json.JsonArrayBuilder j -> b.add(key, j);
                default -> throw new IllegalArgumentException("unsupported JSON value " + v.getClass());
            }
        }
        return b.build();
    }

    /** A logged-in user: requests carry its access token. */
    public record User(TestServer server, String userId, String deviceId, String accessToken) {
        /**
         * A public_chat room of this user's, joined by {@code joiner} through this user's server (over federation
         * when the joiner is another server's user); the room's ID.
         */
        public String createPublicRoomJoinedBy(User joiner) {
            String roomId = post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                    .json().getString("room_id");
            joiner.post("/_matrix/client/v3/join/" + encoded(roomId) + "?server_name=" + encoded(server.serverName()),
                    jakarta.json.JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
            return roomId;
        }

        private static String encoded(String s) {
            return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        }

        public Response get(String path) {
            return send("GET", path, null);
        }

        public Response post(String path, JsonObject body) {
            return send("POST", path, body);
        }

        public Response put(String path, JsonObject body) {
            return send("PUT", path, body);
        }

        public Response delete(String path) {
            return send("DELETE", path, null);
        }

        public Response delete(String path, JsonObject body) {
            return send("DELETE", path, body);
        }

        /** Any method; {@code body} null sends none. */
        public Response send(String method, String path, JsonObject body) {
            var publisher = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString());
            return body == null
                    ? server.client(method, path, publisher, "Authorization", "Bearer " + accessToken)
                    : server.client(method, path, publisher, "Authorization", "Bearer " + accessToken, "Content-Type", "application/json");
        }

        /** The localpart, e.g. {@code alice} of {@code @alice:localhost:1234}. */
        public String localpart() {
            return userId.substring(1, userId.indexOf(':'));
        }
    }

    public record Response(int status, HttpHeaders headers, String body) {
        public JsonObject json() {
            return Json.parseObject(body);
        }

        /** Asserts the status (the body is in the message when it differs). */
        public Response assertStatus(int expected) {
            if (status != expected) {
                throw new AssertionError("expected HTTP " + expected + ", got " + status + ": " + body);
            }
            return this;
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** Asserts the spec's standard error response with this status and errcode. */
        public Response assertError(int expectedStatus, String errcode) {
            if (status != expectedStatus) {
                throw new AssertionError("expected HTTP " + expectedStatus + " " + errcode + ", got " + status + ": " + body);
            }
            JsonObject error = json();
            if (!errcode.equals(error.getString("errcode", null)) || error.getString("error", null) == null) {
                throw new AssertionError("expected {errcode: " + errcode + ", error: ...}, got " + body);
            }
            return this;
        }
    }

    static boolean externalMariaDbAnswers() {
        try (Connection ignored = DriverManager.getConnection(MARIADB + "?connectTimeout=1000", "root", "")) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Drops {@code hearth_test_<epoch>_*} databases created before {@code cutoff}. */
    static List<String> dropStaleScratchDatabases(Instant cutoff) throws SQLException {
        List<String> stale = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(MARIADB, "root", ""); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW DATABASES LIKE 'hearth\\_test\\_%'")) {
                while (rs.next()) {
                    Matcher m = SCRATCH.matcher(rs.getString(1));
                    if (m.matches() && Instant.ofEpochSecond(Long.parseLong(m.group(1))).isBefore(cutoff)) {
                        stale.add(rs.getString(1));
                    }
                }
            }
            for (String name : stale) {
                s.execute("DROP DATABASE IF EXISTS " + name);
            }
        }
        return stale;
    }

    static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(MARIADB, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static SSLContext trustAll() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
    }
}
