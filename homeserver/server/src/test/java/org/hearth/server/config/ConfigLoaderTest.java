package org.hearth.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private Path generated(String serverName) throws IOException {
        Path file = dir.resolve("hearth.yaml");
        Files.writeString(file, ConfigTemplate.render(serverName, dir, 8008, 8448));
        return file;
    }

    private Path yaml(String text) throws IOException {
        Path file = dir.resolve("custom.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void generatedConfigParsesBackToTheDocumentedDefaults() throws IOException {
        HearthConfig c = ConfigLoader.load(generated("example.org"), Map.of());
        assertEquals("example.org", c.serverName());
        assertEquals(dir.toAbsolutePath(), c.dataDir());
        assertEquals(dir.resolve("media").toAbsolutePath(), c.mediaDir());
        assertEquals(8008, c.listeners().client().port());
        assertEquals(8448, c.listeners().federation().port());
        assertFalse(c.listeners().combined());
        assertTrue(c.database().embedded());
        assertFalse(c.registration().open());
        assertTrue(c.registration().sharedSecret().isEmpty());
        assertEquals(RoomVersion.V12, c.defaultRoomVersion());
        assertEquals(50L * 1024 * 1024, c.limits().maxRequestBodyBytes());
        assertTrue(c.limits().rateLimits());
        assertEquals(new HearthConfig.Rate(0.2, 10), c.limits().messages());
        assertEquals(new HearthConfig.Rate(0.1, 10), c.limits().joins());
        assertTrue(c.federation().verifyTls());
        assertFalse(c.federation().allowPrivateAddresses());
        assertTrue(c.federation().trustedCaFile().isEmpty());
        assertEquals(List.of(), c.federation().trustedKeyServers());
        assertEquals(dir.resolve("tls/federation.p12").toAbsolutePath(), c.tls().keystore());
        assertEquals("hearth-federation", c.tls().alias());
        assertEquals(32, c.tls().keystorePassword().length(), "a random password per generated file");
        assertEquals(dir.resolve("example.org.signing.key").toAbsolutePath(), c.signingKeyFile());
    }

    @Test
    void trustedKeyServersAndCaFile() throws IOException {
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, "not read until start");
        HearthConfig c = ConfigLoader.load(yaml("server_name: example.org\nfederation:\n  trusted_ca_file: " + ca + "\n"
                + "  trusted_key_servers:\n"
                + "    - server_name: \"matrix.org\"\n"
                + "      verify_keys:\n"
                + "        \"ed25519:auto\": \"Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw\"\n"
                + "    - server_name: \"notary.example:8448\"\n"), Map.of());
        assertEquals(java.util.Optional.of(ca.toAbsolutePath()), c.federation().trustedCaFile());
        assertEquals(List.of(
                new HearthConfig.TrustedKeyServer("matrix.org", Map.of("ed25519:auto", "Noi6WqcDj0QmPxCNQqgezwTlBKrfqehY1u2FyWP9uYw")),
                new HearthConfig.TrustedKeyServer("notary.example:8448", Map.of())), c.federation().trustedKeyServers());
    }

    @Test
    void supportAndPresence() throws IOException {
        HearthConfig c = ConfigLoader.load(yaml("server_name: example.org\nsupport:\n  support_page: https://example.org/help\n"
                + "  contacts:\n    - role: m.role.admin\n      matrix_id: \"@admin:example.org\"\n"
                + "    - role: m.role.security\n      email_address: security@example.org\n"
                + "presence:\n  idle_timeout_ms: 60000\n"), Map.of());
        assertEquals(List.of(
                new HearthConfig.SupportContact("m.role.admin", java.util.Optional.of("@admin:example.org"), java.util.Optional.empty()),
                new HearthConfig.SupportContact("m.role.security", java.util.Optional.empty(), java.util.Optional.of("security@example.org"))),
                c.support().contacts());
        assertEquals(java.util.Optional.of("https://example.org/help"), c.support().supportPage());
        assertEquals(60_000, c.presence().idleTimeoutMs());

        HearthConfig defaults = ConfigLoader.load(yaml("server_name: example.org\n"), Map.of());
        assertFalse(defaults.support().configured());
        assertEquals(300_000, defaults.presence().idleTimeoutMs());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "support:\n  contacts:\n    - matrix_id: \"@a:example.org\"\n",
            "support:\n  contacts:\n    - role: m.role.admin\n",
            "support:\n  contacts:\n    - role: m.role.admin\n      matrix_id: admin\n",
            "support:\n  contacts:\n    - role: m.role.admin\n      phone: \"123\"\n",
            "presence:\n  idle_timeout_ms: 10\n"})
    void badSupportAndPresenceAreRefused(String text) throws IOException {
        Path file = yaml("server_name: example.org\n" + text);
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    }

    @Test
    void delayedEvents() throws IOException {
        HearthConfig c = ConfigLoader.load(yaml("server_name: example.org\ndelayed_events:\n  max_delay_ms: 0\n"
                + "  max_scheduled: 7\n"), Map.of());
        assertEquals(new HearthConfig.DelayedEvents(0, 7), c.delayedEvents());
        HearthConfig defaults = ConfigLoader.load(yaml("server_name: example.org\n"), Map.of());
        assertEquals(new HearthConfig.DelayedEvents(86_400_000, 100), defaults.delayedEvents());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "delayed_events:\n  max_delay_ms: -1\n",
            "delayed_events:\n  max_delay_ms: soon\n",
            "delayed_events:\n  max_scheduled: 0\n",
            "delayed_events:\n  max_events: 3\n"})
    void badDelayedEventsAreRefused(String text) throws IOException {
        Path file = yaml("server_name: example.org\n" + text);
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    }

    @Test
    void voip() throws IOException {
        HearthConfig c = ConfigLoader.load(yaml("server_name: example.org\nvoip:\n  turn_uris:\n"
                + "    - \"turn:turn.example.org:3478?transport=udp\"\n    - \"turns:turn.example.org:443\"\n"
                + "  turn_shared_secret: s3cret\n  turn_user_lifetime_ms: 3600000\n"
                + "  livekit_service_url: https://lk.example.org\n"), Map.of());
        assertEquals(List.of("turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:443"), c.voip().turnUris());
        assertEquals(java.util.Optional.of("s3cret"), c.voip().turnSharedSecret());
        assertEquals(3_600_000, c.voip().turnUserLifetimeMs());
        assertEquals(java.util.Optional.of("https://lk.example.org"), c.voip().livekitServiceUrl());
        assertFalse(c.voip().toString().contains("s3cret"), "the secret stays out of logs");

        HearthConfig defaults = ConfigLoader.load(yaml("server_name: example.org\n"), Map.of());
        assertFalse(defaults.voip().turnConfigured());
        assertEquals(86_400_000, defaults.voip().turnUserLifetimeMs());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "voip:\n  turn_uris:\n    - \"stun:stun.example.org\"\n",
            "voip:\n  turn_user_lifetime_ms: 10\n",
            "voip:\n  livekit_service_url: lk.example.org\n",
            "voip:\n  turn_secret: x\n"})
    void badVoipIsRefused(String text) throws IOException {
        Path file = yaml("server_name: example.org\n" + text);
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    }

    @Test
    void everyKeyOfTheTemplateIsExplainedByAComment() throws IOException {
        // Every key line, sections included, directly follows a comment line.
        String[] lines = Files.readString(generated("example.org")).split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.matches("[a-z_]+:.*") && !lines[i - 1].strip().startsWith("#")) {
                throw new AssertionError("key without an explaining comment: " + line);
            }
        }
    }

    @Test
    void environmentOverridesWinOverTheFile() throws IOException {
        Map<String, String> env = Map.ofEntries(
                Map.entry("HEARTH_SERVER_NAME", "localhost:9448"),
                Map.entry("HEARTH_DATA_DIR", dir.resolve("other").toString()),
                Map.entry("HEARTH_CLIENT_PORT", "0"),
                Map.entry("HEARTH_FEDERATION_PORT", "9448"),
                Map.entry("HEARTH_DATABASE_URL", "jdbc:mariadb://127.0.0.1:3306/hearth_x"),
                Map.entry("HEARTH_DATABASE_USER", "hearth"),
                Map.entry("HEARTH_DATABASE_PASSWORD", "s3cret ${not.expanded}"),
                Map.entry("HEARTH_OPEN_REGISTRATION", "true"),
                Map.entry("HEARTH_REGISTRATION_SHARED_SECRET", "shh"),
                Map.entry("HEARTH_DEFAULT_ROOM_VERSION", "10"),
                Map.entry("HEARTH_RATE_LIMITS", "off"),
                Map.entry("HEARTH_FEDERATION_VERIFY_TLS", "false"),
                Map.entry("HEARTH_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "true"),
                Map.entry("PATH", "/usr/bin"));
        HearthConfig c = ConfigLoader.load(generated("example.org"), EnvOverrides.from(env));
        assertEquals("localhost:9448", c.serverName());
        assertEquals(dir.resolve("other").toAbsolutePath(), c.dataDir());
        assertEquals(0, c.listeners().client().port());
        assertEquals(9448, c.listeners().federation().port());
        assertFalse(c.database().embedded());
        assertEquals("jdbc:mariadb://127.0.0.1:3306/hearth_x", c.database().url());
        assertEquals("hearth", c.database().user());
        assertEquals("s3cret ${not.expanded}", c.database().password());
        assertTrue(c.registration().open());
        assertEquals("shh", c.registration().sharedSecret().orElseThrow());
        assertEquals(RoomVersion.V10, c.defaultRoomVersion());
        assertFalse(c.limits().rateLimits());
        assertFalse(c.federation().verifyTls());
        assertTrue(c.federation().allowPrivateAddresses());
    }

    @Test
    void emptyDatabaseUrlMeansTheEmbeddedDatabase() throws IOException {
        HearthConfig c = ConfigLoader.load(generated("example.org"), EnvOverrides.from(Map.of("HEARTH_DATABASE_URL", "")));
        assertTrue(c.database().embedded());
    }

    @Test
    void minimalFileNeedsOnlyTheServerName() throws IOException {
        HearthConfig c = ConfigLoader.load(yaml("server_name: example.org\n"), Map.of());
        assertEquals("example.org", c.serverName());
        assertEquals(8008, c.listeners().client().port());
        assertTrue(c.database().embedded());
    }

    @Test
    void missingServerNameIsRefused() throws IOException {
        var e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(yaml("data_dir: /tmp/x\n"), Map.of()));
        assertTrue(e.getMessage().contains("server_name"), e.getMessage());
    }

    @Test
    void misspeltKeyIsRefusedByName() throws IOException {
        var e = assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(yaml("server_name: example.org\nregistration:\n  opne: true\n"), Map.of()));
        assertTrue(e.getMessage().contains("registration.opne"), e.getMessage());
    }

    @Test
    void yamlSyntaxErrorNamesTheFile() throws IOException {
        Path file = yaml("server_name: [unclosed\n");
        var e = assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void missingFileIsRefused() {
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(dir.resolve("nope.yaml"), Map.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "listeners:\n  client:\n    port: 70000\n",
            "listeners:\n  client:\n    port: -1\n",
            "listeners:\n  federation:\n    port: http\n",
            "database:\n  type: postgres\n",
            "database:\n  type: external\n",
            "database:\n  type: external\n  url: postgresql://x/y\n",
            "default_room_version: \"13\"\n",
            "limits:\n  rate_limits: maybe\n",
            "limits:\n  max_request_body_bytes: 1000\n",
            "limits:\n  messages_per_second: 0\n",
            "limits:\n  messages_per_second: fast\n",
            "limits:\n  joins_burst: 0\n",
            "federation:\n  trusted_ca_file: /no/such/file.pem\n",
            "federation:\n  trusted_key_servers:\n    - verify_keys: {}\n",
            "federation:\n  trusted_key_servers:\n    - server_name: \"bad name!\"\n",
            "federation:\n  trusted_key_servers:\n    - server_name: n.example\n      verify_keys:\n        \"ed25519:a\": short\n",
            "federation:\n  trusted_key_servers:\n    - server_name: n.example\n      verify_kyes: {}\n",
    })
    void invalidValuesAreRefused(String rest) throws IOException {
        Path file = yaml("server_name: example.org\n" + rest);
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.load(file, Map.of()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.org", "localhost:8448", "1.2.3.4:80", "[::1]:8448", "[1234:5678::abcd]", "a-b.example"})
    void validServerNames(String name) {
        ConfigLoader.checkServerName(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "example.org:", "example.org:99999", "exa mple.org", "@alice:example.org", "example.org/x", "localhost:0"})
    void invalidServerNames(String name) {
        assertThrows(InvalidConfigException.class, () -> ConfigLoader.checkServerName(name));
    }
}
