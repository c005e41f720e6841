package org.hearth.server.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/** The commented default {@code hearth.yaml} that {@code generate-config} and a first {@code run} write. */
public final class ConfigTemplate {
    private static final String RESOURCE = "hearth.yaml.template";

    private ConfigTemplate() {}

    public static String render(String serverName, Path dataDir, int clientPort, int federationPort) {
        ConfigLoader.checkServerName(serverName);
        byte[] password = new byte[16];
        new SecureRandom().nextBytes(password);
        Map<String, String> values = Map.of(
                "server_name", serverName,
                "data_dir", dataDir.toAbsolutePath().normalize().toString(),
                "client_port", Integer.toString(clientPort),
                "federation_port", Integer.toString(federationPort),
                "keystore_password", HexFormat.of().formatHex(password));
        String text = template();
        for (var value : values.entrySet()) {
            // Inside double-quoted YAML scalars: escape what would end or break them.
            String escaped = value.getValue().replace("\\", "\\\\").replace("\"", "\\\"");
            text = text.replace("{{" + value.getKey() + "}}", escaped);
        }
        return text;
    }

    private static String template() {
        try (InputStream in = ConfigTemplate.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
