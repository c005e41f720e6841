package org.hearth.server.cli;

import java.io.PrintStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.ServerMetadata;
import org.hearth.server.DataDirectory;
import org.hearth.server.HearthServer;
import org.hearth.server.Lifecycle;
import org.hearth.server.Main;
import org.hearth.server.config.EnvOverrides;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.config.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth run}: starts the homeserver and serves until SIGTERM or SIGINT. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Start the homeserver.",
                "Without --config, uses <data dir>/hearth.yaml (default ./data/hearth.yaml), generating it, the signing key "
                        + "and a self-signed TLS certificate on the first start.",
                "Precedence: flags, then HEARTH_* environment variables, then the config file."})
public final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = System.getLogger(RunCommand.class.getName());

    @Option(names = "--config", paramLabel = "FILE", description = "The config file (default: <data dir>/hearth.yaml).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory (data_dir; env HEARTH_DATA_DIR).")
    Path dataDir;

    @Option(names = "--server-name", paramLabel = "NAME", description = "Server name (server_name; env HEARTH_SERVER_NAME).")
    String serverName;

    @Option(names = "--client-port", paramLabel = "PORT", description = "Client API port, 0 for any free port (env HEARTH_CLIENT_PORT).")
    Integer clientPort;

    @Option(names = "--federation-port", paramLabel = "PORT", description = "Federation port, 0 for any free port (env HEARTH_FEDERATION_PORT).")
    Integer federationPort;

    @Option(names = "--database-url", paramLabel = "JDBC_URL", description = "External MariaDB, jdbc:mariadb://host:port/name (env HEARTH_DATABASE_URL); "
            + "password from HEARTH_DATABASE_PASSWORD or the config file.")
    String databaseUrl;

    @Option(names = "--database-user", paramLabel = "USER", description = "External MariaDB user (env HEARTH_DATABASE_USER).")
    String databaseUser;

    @Option(names = "--open-registration", description = "Let anyone register (registration.open; env HEARTH_OPEN_REGISTRATION).")
    Boolean openRegistration;

    @Option(names = "--default-room-version", paramLabel = "VERSION", description = "Room version of new rooms (env HEARTH_DEFAULT_ROOM_VERSION).")
    String defaultRoomVersion;

    @Option(names = "--no-rate-limits", description = "Turn rate limiting off (env HEARTH_RATE_LIMITS=off).")
    boolean noRateLimits;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public RunCommand() {
        this(System.getenv(), System.out, System.err);
    }

    RunCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        // The hook exists before anything starts, so SIGTERM during start-up stops what has started.
        Lifecycle lifecycle = new Lifecycle();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            // To the console, not the log: JUL resets its handlers in a shutdown hook of its own, concurrently.
            out.println("hearth: shutting down");
            lifecycle.close();
            out.println("hearth: stopped");
            out.flush();
            stopped.countDown();
        }, "hearth-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        HearthServer server;
        try {
            HearthConfig settings = DataDirectory.prepare(Optional.ofNullable(config), overrides());
            server = HearthServer.start(settings, Main.version(), lifecycle);
        } catch (InvalidConfigException | ServerMetadata.ForeignDatabaseException e) {
            err.println("hearth: " + e.getMessage());
            return failedStart(hook, Main.EXIT_CONFIG);
        } catch (Database.UnavailableException e) {
            err.println("hearth: " + e.getMessage());
            return failedStart(hook, Main.EXIT_UNAVAILABLE);
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "start-up failed", e);
            err.println("hearth: start-up failed: " + e.getMessage());
            return failedStart(hook, Main.EXIT_FAILURE);
        }

        out.println("Hearth " + Main.version() + " started");
        out.println("  server name:    " + server.serverName());
        out.println("  client URL:     " + server.clientUrl());
        out.println("  federation URL: " + server.federationUrl());
        out.flush();

        // Serve until a signal runs the hook; no System.exit here, so shutdown is always the hook's orderly one.
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return Main.EXIT_OK;
    }

    // HearthServer.start already stopped what it had started; the hook would only print noise.
    private static int failedStart(Thread hook, int code) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running: a signal arrived during start-up
        }
        return code;
    }

    private Map<String, String> overrides() {
        return overridesOver(env);
    }

    /** The overrides of {@code environment} with this command's flags on top. */
    public Map<String, String> overridesOver(Map<String, String> environment) {
        Map<String, String> overrides = new LinkedHashMap<>(EnvOverrides.from(environment));
        if (dataDir != null) {
            overrides.put("data_dir", dataDir.toString());
        }
        if (serverName != null) {
            overrides.put("server_name", serverName);
        }
        if (clientPort != null) {
            overrides.put("listeners.client.port", clientPort.toString());
        }
        if (federationPort != null) {
            overrides.put("listeners.federation.port", federationPort.toString());
        }
        if (databaseUrl != null) {
            overrides.put("database.type", "external");
            overrides.put("database.url", databaseUrl);
        }
        if (databaseUser != null) {
            overrides.put("database.user", databaseUser);
        }
        if (openRegistration != null) {
            overrides.put("registration.open", openRegistration.toString());
        }
        if (defaultRoomVersion != null) {
            overrides.put("default_room_version", defaultRoomVersion);
        }
        if (noRateLimits) {
            overrides.put("limits.rate_limits", "false");
        }
        return overrides;
    }
}
