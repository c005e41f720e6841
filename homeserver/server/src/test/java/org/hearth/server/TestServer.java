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

    private final boolean forceEmbedded;
    private boolean combined;
    private Path dataDir;
    private String scratchDatabase;
    private HearthServer server;
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
        HearthConfig config = DataDirectory.prepare(Optional.empty(), overrides);
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

    public Path dataDir() {
        return dataDir;
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

    public record Response(int status, HttpHeaders headers, String body) {
        public JsonObject json() {
            return Json.parseObject(body);
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
