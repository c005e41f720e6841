package org.hearth.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.hearth.server.cli.RunCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
    @TempDir
    Path dir;

    private static int run(String... args) {
        return new CommandLine(new Main()).execute(args);
    }

    @Test
    void generateConfigSucceedsOnceThenRefusesToOverwrite() {
        assertEquals(Main.EXIT_OK, run("generate-config", "--server-name", "example.org", "--data-dir", dir.toString()));
        assertTrue(Files.exists(dir.resolve("hearth.yaml")));
        assertEquals(Main.EXIT_CONFIG, run("generate-config", "--server-name", "example.org", "--data-dir", dir.toString()));
    }

    @Test
    void missingRequiredOptionIsAUsageError() {
        assertEquals(Main.EXIT_USAGE, run("generate-config", "--server-name", "example.org"));
        assertEquals(Main.EXIT_USAGE, run("no-such-command"));
        assertEquals(Main.EXIT_USAGE, run());
    }

    @Test
    void runWithABrokenConfigExitsWithTheConfigCode() throws Exception {
        Path file = dir.resolve("hearth.yaml");
        Files.writeString(file, "server_name: example.org\nlisteners:\n  client:\n    port: 99999\n");
        assertEquals(Main.EXIT_CONFIG, run("run", "--config", file.toString()));
    }

    @Test
    void runFlagsOverrideEnvironment() {
        var command = new RunCommand();
        new CommandLine(command).parseArgs("--server-name", "flag.example", "--client-port", "0", "--no-rate-limits",
                "--database-url", "jdbc:mariadb://db:3306/h");
        Map<String, String> overrides = command.overridesOver(Map.of("HEARTH_SERVER_NAME", "env.example",
                "HEARTH_FEDERATION_PORT", "9448"));
        assertEquals("flag.example", overrides.get("server_name"));
        assertEquals("0", overrides.get("listeners.client.port"));
        assertEquals("9448", overrides.get("listeners.federation.port"));
        assertEquals("false", overrides.get("limits.rate_limits"));
        assertEquals("external", overrides.get("database.type"));
    }
}
