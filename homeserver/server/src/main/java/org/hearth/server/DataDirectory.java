package org.hearth.server;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.hearth.server.config.ConfigLoader;
import org.hearth.server.config.ConfigTemplate;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.config.InvalidConfigException;

/** The files a server keeps in its data directory, and the first start that creates them. */
public final class DataDirectory {
    public static final String CONFIG_FILE = "hearth.yaml";
    public static final Path DEFAULT = Path.of("data");
    static final int DEFAULT_CLIENT_PORT = 8008;
    static final int DEFAULT_FEDERATION_PORT = 8448;

    private DataDirectory() {}

    /** {@code generate-config}: writes {@code dir/hearth.yaml} and the signing key; refuses to overwrite either. */
    /** The config a command reads: the one given, else hearth.yaml in --data-dir, HEARTH_DATA_DIR or ./data. */
    public static Path configFile(Path given, Path dataDir, Map<String, String> env) {
        return given != null ? given : Optional.ofNullable(dataDir)
                .or(() -> Optional.ofNullable(env.get("HEARTH_DATA_DIR")).filter(s -> !s.isBlank()).map(Path::of))
                .orElse(DEFAULT).resolve(CONFIG_FILE);
    }

    public static Path generate(Path dir, String serverName) {
        Path file = dir.resolve(CONFIG_FILE);
        if (Files.exists(file)) {
            throw new InvalidConfigException(file + " already exists; remove it first to generate a new one");
        }
        String text = ConfigTemplate.render(serverName, dir, DEFAULT_CLIENT_PORT, DEFAULT_FEDERATION_PORT);
        // Owner-only: the file holds the keystore password and, once set, the registration secret.
        PrivateFiles.write(file, text.getBytes(StandardCharsets.UTF_8));
        ServerSigningKey.loadOrCreate(ConfigLoader.load(file, Map.of()).signingKeyFile());
        return file;
    }

    /**
     * {@code run}: the given config file; without one, {@code <data dir>/hearth.yaml}, generated on the first
     * start (data dir from {@code overrides} or ./data, server name from overrides or localhost:8448).
     */
    public static HearthConfig prepare(Optional<Path> configFile, Map<String, String> overrides) {
        if (configFile.isPresent()) {
            return ConfigLoader.load(configFile.get(), overrides);
        }
        Path dir = Optional.ofNullable(overrides.get("data_dir")).filter(s -> !s.isBlank()).map(Path::of).orElse(DEFAULT);
        Path file = dir.resolve(CONFIG_FILE);
        if (!Files.exists(file)) {
            String serverName = Optional.ofNullable(overrides.get("server_name")).filter(s -> !s.isBlank())
                    .orElse("localhost:" + DEFAULT_FEDERATION_PORT);
            generate(dir, serverName);
        }
        return ConfigLoader.load(file, overrides);
    }
}
