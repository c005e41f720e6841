package org.hearth.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.config.InvalidConfigException;
import org.hearth.server.tls.FederationKeystore;
import org.hearth.spec.crypto.SigningKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {
    @TempDir
    Path dir;

    @Test
    void generateWritesConfigAndSynapseFormatSigningKey() throws Exception {
        Path file = DataDirectory.generate(dir, "example.org");
        assertEquals(dir.resolve("hearth.yaml"), file);
        String key = Files.readString(dir.resolve("example.org.signing.key"));
        assertTrue(key.matches("ed25519 a_[A-Za-z0-9]{4} [A-Za-z0-9+/]{43}\n"), key);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("example.org.signing.key"))));
    }

    @Test
    void generateRefusesToOverwrite() {
        DataDirectory.generate(dir, "example.org");
        assertThrows(InvalidConfigException.class, () -> DataDirectory.generate(dir, "example.org"));
    }

    @Test
    void generateRefusesAnInvalidServerName() {
        assertThrows(InvalidConfigException.class, () -> DataDirectory.generate(dir, "not a name"));
        assertTrue(Files.notExists(dir.resolve("hearth.yaml")));
    }

    @Test
    void firstRunGeneratesAndSecondRunReusesConfigKeyAndCertificate() throws Exception {
        Map<String, String> overrides = Map.of("data_dir", dir.toString(), "server_name", "localhost:9448");
        HearthConfig first = DataDirectory.prepare(Optional.empty(), overrides);
        SigningKey firstKey = ServerSigningKey.loadOrCreate(first.signingKeyFile());
        var firstTls = FederationKeystore.loadOrCreate(first.tls(), "localhost");
        String firstConfigText = Files.readString(dir.resolve("hearth.yaml"));

        HearthConfig second = DataDirectory.prepare(Optional.empty(), overrides);
        SigningKey secondKey = ServerSigningKey.loadOrCreate(second.signingKeyFile());
        var secondTls = FederationKeystore.loadOrCreate(second.tls(), "localhost");

        assertEquals(first, second);
        assertEquals(firstConfigText, Files.readString(dir.resolve("hearth.yaml")));
        assertEquals(firstKey.keyId(), secondKey.keyId());
        assertArrayEquals(firstKey.seed(), secondKey.seed());
        assertEquals(firstTls.chain(), secondTls.chain());
    }

    @Test
    void firstRunWithoutServerNameUsesLocalhostOnTheFederationPort() {
        HearthConfig config = DataDirectory.prepare(Optional.empty(), Map.of("data_dir", dir.toString()));
        assertEquals("localhost:8448", config.serverName());
    }

    @Test
    void explicitConfigFileThatDoesNotExistIsAnErrorNotGenerated() {
        Path missing = dir.resolve("missing.yaml");
        assertThrows(InvalidConfigException.class, () -> DataDirectory.prepare(Optional.of(missing), Map.of()));
        assertTrue(Files.notExists(missing));
    }

    @Test
    void corruptSigningKeyFileIsRefusedNotReplaced() throws Exception {
        Path file = dir.resolve("example.org.signing.key");
        Files.writeString(file, "ed25519 a_x not-base64!\n");
        assertThrows(InvalidConfigException.class, () -> ServerSigningKey.loadOrCreate(file));
        assertEquals("ed25519 a_x not-base64!\n", Files.readString(file));
    }
}
