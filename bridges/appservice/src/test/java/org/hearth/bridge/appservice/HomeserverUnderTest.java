package org.hearth.bridge.appservice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.hearth.server.DataDirectory;
import org.hearth.server.HearthServer;
import org.hearth.server.Lifecycle;

/**
 * The homeserver a bridge test talks to, only over HTTP. By default a real Hearth started in this JVM on a scratch
 * MariaDB database with the test's registration; with {@code -Dbridge.it.homeserver=<base URL>} and
 * {@code -Dbridge.it.registration=<file>} another homeserver (Synapse...) that already has that registration, and
 * the bridge listens on the port of the registration's {@code url}.
 */
public final class HomeserverUnderTest implements AutoCloseable {
    static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/";

    private final URI base;
    private final HearthServer server;
    private final Path dataDir;
    private final String database;
    private final String storeDatabase;

    private HomeserverUnderTest(URI base, HearthServer server, Path dataDir, String database, String storeDatabase) {
        this.base = base;
        this.server = server;
        this.dataDir = dataDir;
        this.database = database;
        this.storeDatabase = storeDatabase;
    }

    public static boolean external() {
        return System.getProperty("bridge.it.homeserver") != null;
    }

    /** The registration under test: the external one, or a new one whose URL is a free loopback port. */
    public static Registration registration(String id, String senderLocalpart, String userPrefix) {
        String file = System.getProperty("bridge.it.registration");
        if (external() && file != null) {
            return Registration.read(Path.of(file));
        }
        // The server name is not known yet: any domain, so the namespace is the prefix.
        Registration r = Registration.generate(id, "http://127.0.0.1:" + freePort(), senderLocalpart, userPrefix, "x");
        return new Registration(r.id(), r.url(), r.asToken(), r.hsToken(), r.senderLocalpart(),
                "@" + java.util.regex.Pattern.quote(userPrefix) + ".*", null, true, false, r.protocols(), r.receiveEphemeral());
    }

    /** The port the bridge must listen on: the one in the registration's URL. */
    public static int bridgePort(Registration registration) {
        return URI.create(registration.url()).getPort();
    }

    public static HomeserverUnderTest start(Registration registration) {
        String storeDb = scratchDatabase("bridge_test_");
        if (external()) {
            return new HomeserverUnderTest(URI.create(System.getProperty("bridge.it.homeserver")), null, null, null, storeDb);
        }
        try {
            Path target = Path.of("target");
            Files.createDirectories(target);
            Path dataDir = Files.createTempDirectory(target.toAbsolutePath(), "hearth-bridge-it-");
            Path registrationFile = dataDir.resolve("registration.yaml");
            registration.write(registrationFile);
            String db = scratchDatabase("hearth_test_");
            int federationPort = freePort();
            while (registration.url() != null && federationPort == bridgePort(registration)) {
                federationPort = freePort();   // the bridge's port was free a moment ago: never hand it out twice
            }
            Map<String, String> overrides = new HashMap<>();
            overrides.put("server_name", "localhost:" + federationPort);
            overrides.put("data_dir", dataDir.toString());
            overrides.put("listeners.client.port", "0");
            overrides.put("listeners.client.bind_address", "127.0.0.1");
            overrides.put("listeners.federation.port", Integer.toString(federationPort));
            overrides.put("listeners.federation.bind_address", "127.0.0.1");
            overrides.put("limits.rate_limits", "off");
            overrides.put("registration.open", "true");
            overrides.put("security.password_hash_cost", "test");
            overrides.put("app_service_config_files", registrationFile.toString());
            overrides.put("database.type", "external");
            overrides.put("database.url", MARIADB + db);
            overrides.put("database.user", "root");
            overrides.put("database.password", "");
            HearthServer server = HearthServer.start(DataDirectory.prepare(Optional.empty(), overrides), "test", new Lifecycle());
            return new HomeserverUnderTest(URI.create("http://127.0.0.1:" + server.clientPort()), server, dataDir, db, storeDb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public URI baseUrl() {
        return base;
    }

    /** A scratch database for the bridge's own store (dropped on close). */
    public String storeJdbcUrl() {
        return MARIADB + storeDatabase;
    }

    static String scratchDatabase(String prefix) {
        String name = prefix + (System.currentTimeMillis() / 1000) + "_" + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
        admin("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        return name;
    }

    static void admin(String sql) {
        try (Connection c = DriverManager.getConnection(MARIADB, "root", ""); var st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static int freePort() {
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        if (database != null) {
            admin("DROP DATABASE IF EXISTS " + database);
        }
        admin("DROP DATABASE IF EXISTS " + storeDatabase);
        if (dataDir != null) {
            try (var walk = Files.walk(dataDir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // a leftover temp directory under target/ is harmless
            }
        }
    }
}
