package org.hearth.core.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against the MariaDB at 127.0.0.1:3306 (root, no password), in a scratch database dropped at the end. */
class DatabaseIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    // hearth_test_<epoch seconds>_<random>: the server module's TestServer drops such leftovers after a day.
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static Database database;

    @BeforeAll
    static void createScratchDatabase() throws SQLException {
        admin("CREATE DATABASE " + NAME);
        database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 2));
        Migrations.apply(database.dataSource());
    }

    @AfterAll
    static void dropScratchDatabase() throws SQLException {
        if (database != null) {
            database.close();
        }
        admin("DROP DATABASE IF EXISTS " + NAME);
    }

    @Test
    void migrationsAreRecordedAndNotReapplied() throws SQLException {
        assertEquals(0, Migrations.apply(database.dataSource()).migrationsExecuted);
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM flyway_schema_history WHERE version = '1'")) {
            assertTrue(rs.next(), "V1 recorded");
            assertTrue(rs.getBoolean("success"));
        }
    }

    @Test
    void transactionCommitsWhenWorkReturns() {
        execute("CREATE TABLE IF NOT EXISTS tx_probe (v INT PRIMARY KEY)");
        database.transaction(tx -> tx.createInsert("INSERT INTO tx_probe (v) VALUES (1)").execute());
        assertEquals(1L, count("SELECT COUNT(*) AS n FROM tx_probe WHERE v = 1"));
    }

    @Test
    void transactionRollsBackWhenWorkThrows() {
        execute("CREATE TABLE IF NOT EXISTS tx_probe (v INT PRIMARY KEY)");
        var failure = assertThrows(IllegalStateException.class, () -> database.transaction(tx -> {
            tx.createInsert("INSERT INTO tx_probe (v) VALUES (2)").execute();
            throw new IllegalStateException("boom");
        }));
        assertEquals("boom", failure.getMessage());
        assertEquals(0L, count("SELECT COUNT(*) AS n FROM tx_probe WHERE v = 2"));
    }

    @Test
    void databaseClaimedByOneServerNameRefusesAnother() {
        var metadata = new ServerMetadata(database, Clock.systemUTC());
        metadata.claim("a.example");
        metadata.claim("a.example"); // the same name again is a normal restart
        var e = assertThrows(ServerMetadata.ForeignDatabaseException.class, () -> metadata.claim("b.example"));
        assertTrue(e.getMessage().contains("'a.example'"), e.getMessage());
    }

    @Test
    void missingDatabaseIsUnavailableNotABug() {
        var e = assertThrows(Database.UnavailableException.class,
                () -> Database.open(new DatabaseSettings(SERVER + NAME + "_missing", "root", "", 1)));
        assertTrue(e.getMessage().contains(NAME + "_missing"), e.getMessage());
    }

    @Test
    void anExhaustedPoolRefusesWith429InsteadOfWaitingForever() throws Exception {
        try (Database small = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 2), 300)) {
            var holding = new java.util.concurrent.CountDownLatch(2);
            var release = new java.util.concurrent.CountDownLatch(1);
            var holders = new java.util.ArrayList<Thread>();
            for (int i = 0; i < 2; i++) {
                holders.add(Thread.ofVirtual().start(() -> small.transaction(tx -> {
                    tx.createGet("SELECT 1 AS n").execute();
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return null;
                })));
            }
            assertTrue(holding.await(30, java.util.concurrent.TimeUnit.SECONDS));
            var refused = assertThrows(org.hearth.core.ratelimit.RateLimited.class,
                    () -> small.execute().createGet("SELECT 1 AS n").execute());
            assertTrue(refused.retryAfterMs() > 0);
            release.countDown();
            for (Thread t : holders) {
                t.join();
            }
            // The connections given back admit the next callers again.
            assertEquals(1L, small.execute().createGet("SELECT 1 AS n").execute().orElseThrow()
                    .column("n").get(Number.class).longValue());
            assertEquals(1L, small.execute().createGet("SELECT 1 AS n").execute().orElseThrow()
                    .column("n").get(Number.class).longValue());
        }
    }

    @Test
    void afterCommitRunsOnlyOnceCommitted() {
        execute("CREATE TABLE IF NOT EXISTS tx_probe (v INT PRIMARY KEY)");
        var seen = new java.util.ArrayList<Long>();
        database.transaction(tx -> {
            tx.createInsert("INSERT INTO tx_probe (v) VALUES (3)").execute();
            // Inside the transaction another connection does not see the row yet; the action runs after commit.
            Database.afterCommit(() -> seen.add(count("SELECT COUNT(*) AS n FROM tx_probe WHERE v = 3")));
            assertTrue(seen.isEmpty());
            return null;
        });
        assertEquals(java.util.List.of(1L), seen);
        assertThrows(IllegalStateException.class, () -> database.transaction(tx -> {
            Database.afterCommit(() -> seen.add(-1L));
            throw new IllegalStateException("rolled back");
        }));
        assertEquals(java.util.List.of(1L), seen);
        Database.afterCommit(() -> seen.add(2L));
        assertEquals(java.util.List.of(1L, 2L), seen);
    }

    private static long count(String sql) {
        return database.execute().createGet(sql).execute().orElseThrow().column("n").get(Long.class);
    }

    private static void execute(String sql) {
        database.execute().createDmlStatement(sql).execute();
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
