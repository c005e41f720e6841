package org.hearth.server.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hearth.server.DataDirectory;
import org.hearth.server.Main;
import org.hearth.server.config.InvalidConfigException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code hearth generate-config}: a commented hearth.yaml and a new signing key in a data directory. */
@Command(name = "generate-config", mixinStandardHelpOptions = true,
        description = "Write a commented DIR/hearth.yaml and the signing key DIR/<server name>.signing.key (never overwrites).")
public final class GenerateConfigCommand implements Callable<Integer> {
    @Option(names = "--server-name", required = true, paramLabel = "NAME",
            description = "The server name (after ':' in user IDs), e.g. example.org or localhost:8448.")
    String serverName;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "The data directory to create or fill.")
    Path dataDir;

    @Override
    public Integer call() {
        try {
            Path file = DataDirectory.generate(dataDir, serverName);
            System.out.println("wrote " + file);
            System.out.println("wrote " + dataDir.toAbsolutePath().normalize().resolve(serverName + ".signing.key"));
            System.out.println("start with: hearth run --config " + file);
            return Main.EXIT_OK;
        } catch (InvalidConfigException e) {
            System.err.println("hearth: " + e.getMessage());
            return Main.EXIT_CONFIG;
        } catch (java.io.UncheckedIOException e) {
            System.err.println("hearth: " + e.getMessage());
            return Main.EXIT_CANT_CREATE;
        }
    }
}
