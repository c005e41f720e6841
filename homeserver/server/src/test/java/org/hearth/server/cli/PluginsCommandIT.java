package org.hearth.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.hearth.server.Main;
import org.hearth.server.TestServer;
import org.hearth.server.plugins.PluginJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code hearth plugins list|load|unload|reload} against a running server's admin endpoints. */
class PluginsCommandIT {
    private static final Path PLUGINS = pluginDir();

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("plugins.dir", PLUGINS.toString());

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static String hello(String pkg) {
        return """
                package %s;

                import java.util.List;
                import org.hearth.plugin.api.*;
                import org.hearth.spec.json.Json;
                import org.pf4j.Extension;

                @Extension
                public class Hello implements PluginRoutes {
                    public List<Route> routes() {
                        return List.of(Route.get("/hi", r -> PluginResponse.ok(Json.objectBuilder().add("hi", r.user()).build())));
                    }
                }
                """.formatted(pkg);
    }

    private static Path pluginDir() {
        try {
            Path dir = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(dir, "hello", ">=0.2.0", Map.of("test.hello.Hello", hello("test.hello")));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int run(Map<String, String> env, String... args) {
        out.reset();
        err.reset();
        var command = new PluginsCommand(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CommandLine(command).execute(args);
    }

    private String url() {
        return "http://127.0.0.1:" + server.server().clientPort();
    }

    @Test
    void listUnloadReloadAndLoadANewJar() {
        var admin = server.registerWithSharedSecret("plcliadmin", TestServer.DEFAULT_PASSWORD, true);
        var env = Map.of("HEARTH_ADMIN_TOKEN", admin.accessToken());
        assertEquals(Main.EXIT_OK, run(env, "list", "--url", url()), err.toString());
        assertTrue(out.toString().contains("hello\t1.0.0\tstarted"), out.toString());

        assertEquals(Main.EXIT_OK, run(env, "unload", "hello", "--url", url()), err.toString());
        assertTrue(out.toString().startsWith("hello\t1.0.0\tunloaded"), out.toString());
        admin.get("/_hearth/plugins/hello/hi").assertError(404, "M_UNRECOGNIZED");
        assertEquals(Main.EXIT_OK, run(env, "reload", "hello", "--url", url()), err.toString());
        assertEquals(admin.userId(), admin.get("/_hearth/plugins/hello/hi").assertStatus(200).json().getString("hi"));

        PluginJars.build(PLUGINS, "fresh", ">=0.2.0", Map.of("test.fresh.Hello", hello("test.fresh")));
        assertEquals(Main.EXIT_OK, run(env, "load", PLUGINS.resolve("fresh.jar").toString(), "--url", url()), err.toString());
        assertTrue(out.toString().startsWith("fresh\t1.0.0\tstarted"), out.toString());
        admin.get("/_hearth/plugins/fresh/hi").assertStatus(200);

        assertEquals(Main.EXIT_FAILURE, run(env, "unload", "nosuch", "--url", url()));
        assertTrue(err.toString().contains("M_NOT_FOUND"), err.toString());
    }

    @Test
    void aNonAdminTokenIsRefusedAndATokenIsRequired() {
        var user = server.register("plcliuser");
        assertEquals(Main.EXIT_FAILURE, run(Map.of("HEARTH_ADMIN_TOKEN", user.accessToken()), "list", "--url", url()));
        assertTrue(err.toString().contains("M_FORBIDDEN"), err.toString());
        assertEquals(Main.EXIT_USAGE, run(Map.of(), "list", "--url", url()));
        assertEquals(Main.EXIT_USAGE, run(Map.of("HEARTH_ADMIN_TOKEN", "x"), "unload", "--url", url()));
    }
}
