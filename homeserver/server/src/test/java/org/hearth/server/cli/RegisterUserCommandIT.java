package org.hearth.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.hearth.server.DataDirectory;
import org.hearth.server.Main;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

class RegisterUserCommandIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> env, String stdin, String... args) {
        var command = new RegisterUserCommand(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLine(command).execute(args);
    }

    private String config() {
        return server.dataDir().resolve(DataDirectory.CONFIG_FILE).toString();
    }

    private String url() {
        return "http://127.0.0.1:" + server.server().clientPort();
    }

    @Test
    void registersAnAdminThatCanLogIn() {
        int code = run(Map.of("HEARTH_REGISTRATION_SHARED_SECRET", TestServer.SHARED_SECRET), "",
                "--config", config(), "--url", url(), "--user", "cliadmin", "--password", "s3cret", "--admin");
        assertEquals(Main.EXIT_OK, code, err.toString());
        assertTrue(out.toString().contains("registered @cliadmin:" + server.serverName() + " (admin)"), out.toString());
        server.login("cliadmin", "s3cret").get("/_synapse/admin/v1/registration_tokens").assertStatus(200);
    }

    @Test
    void passwordFromStandardInput() {
        int code = run(Map.of("HEARTH_REGISTRATION_SHARED_SECRET", TestServer.SHARED_SECRET), "from-stdin\n",
                "--config", config(), "--url", url(), "--user", "clistdin");
        assertEquals(Main.EXIT_OK, code, err.toString());
        server.login("clistdin", "from-stdin");
    }

    @Test
    void wrongSecretIsRefused() {
        int code = run(Map.of("HEARTH_REGISTRATION_SHARED_SECRET", "wrong"), "",
                "--config", config(), "--url", url(), "--user", "clibad", "--password", "x");
        assertEquals(Main.EXIT_FAILURE, code);
        assertTrue(err.toString().contains("M_FORBIDDEN"), err.toString());
    }

    @Test
    void withoutSharedSecretIsAConfigError() {
        int code = run(Map.of(), "", "--config", config(), "--url", url(), "--user", "x", "--password", "x");
        assertEquals(Main.EXIT_CONFIG, code);
    }

    @Test
    void unreachableServer() {
        int code = run(Map.of("HEARTH_REGISTRATION_SHARED_SECRET", "s"), "",
                "--config", config(), "--url", "http://127.0.0.1:1", "--user", "x", "--password", "x");
        assertEquals(Main.EXIT_UNAVAILABLE, code);
    }
}
