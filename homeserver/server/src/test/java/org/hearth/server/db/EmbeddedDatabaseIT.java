package org.hearth.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fresh-machine path: no config, no database, a new data directory; everything is created on start. */
class EmbeddedDatabaseIT {
    @RegisterExtension
    static final TestServer server = TestServer.withEmbeddedDatabase();

    @Test
    void firstStartAnswersVersions() {
        var res = server.client("GET", "/_matrix/client/versions");
        assertEquals(200, res.status());
        assertTrue(res.json().getJsonArray("versions").size() > 0);
    }

    @Test
    void embeddedDatabaseLivesInTheDataDirectoryAndWasMigrated() throws Exception {
        assertTrue(server.scratchDatabase().isEmpty());
        assertTrue(Files.isDirectory(server.dataDir().resolve("mariadb").resolve("data").resolve(EmbeddedMariaDb.DATABASE)));
        try (var c = server.server().database().dataSource().getConnection();
             var rs = c.createStatement().executeQuery("SELECT server_name FROM server_metadata")) {
            assertTrue(rs.next());
            assertEquals(server.serverName(), rs.getString(1));
        }
    }
}
