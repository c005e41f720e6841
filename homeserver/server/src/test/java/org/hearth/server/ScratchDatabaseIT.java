package org.hearth.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.DriverManager;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The harness itself: its scratch database is the server's, and stale ones are dropped. */
class ScratchDatabaseIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    @Test
    void serverRunsOnItsOwnScratchDatabase() throws Exception {
        assumeTrue(server.scratchDatabase().isPresent(), "only with the MariaDB at 127.0.0.1:3306");
        try (var c = server.server().database().dataSource().getConnection()) {
            assertEquals(server.scratchDatabase().get(), c.getCatalog());
        }
    }

    @Test
    void scratchDatabasesOlderThanADayAreDroppedAndNewerOnesKept() throws Exception {
        assumeTrue(TestServer.externalMariaDbAnswers(), "only with the MariaDB at 127.0.0.1:3306");
        long now = Instant.now().getEpochSecond();
        String stale = "hearth_test_" + (now - Duration.ofDays(2).toSeconds()) + "_dead";
        String fresh = "hearth_test_" + (now - 60) + "_beef";
        TestServer.admin("CREATE DATABASE IF NOT EXISTS " + stale);
        TestServer.admin("CREATE DATABASE IF NOT EXISTS " + fresh);
        try {
            List<String> dropped = TestServer.dropStaleScratchDatabases(Instant.now().minus(Duration.ofDays(1)));
            assertTrue(dropped.contains(stale), dropped.toString());
            assertFalse(dropped.contains(fresh), dropped.toString());
            assertFalse(databaseExists(stale));
            assertTrue(databaseExists(fresh));
        } finally {
            TestServer.admin("DROP DATABASE IF EXISTS " + stale);
            TestServer.admin("DROP DATABASE IF EXISTS " + fresh);
        }
    }

    private static boolean databaseExists(String name) throws Exception {
        try (var c = DriverManager.getConnection(TestServer.MARIADB, "root", "");
             var rs = c.createStatement().executeQuery("SHOW DATABASES LIKE '" + name + "'")) {
            return rs.next();
        }
    }
}
