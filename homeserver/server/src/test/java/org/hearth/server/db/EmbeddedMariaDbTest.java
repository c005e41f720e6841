package org.hearth.server.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EmbeddedMariaDbTest {
    @Test
    void dataDirUnderTheTempDirIsHiddenFromMariaDb4jsWipeButIsTheSameDirectory() throws Exception {
        Path data = Files.createTempDirectory("hearth-data");
        try {
            var kept = EmbeddedMariaDb.keptDataDir(data);
            assertFalse(kept.getAbsolutePath().startsWith(System.getProperty("java.io.tmpdir")), kept.getAbsolutePath());
            assertEquals(data.toRealPath(), kept.toPath().toRealPath());
        } finally {
            Files.delete(data);
        }
    }

    @Test
    void dataDirElsewhereIsUsedAsIs() {
        Path data = Path.of("target", "some-data").toAbsolutePath();
        assertEquals(data.toFile(), EmbeddedMariaDb.keptDataDir(data));
    }
}
