package org.hearth.server.cli;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import org.hearth.server.DataDirectory;
import org.hearth.server.Main;
import org.hearth.server.config.ConfigLoader;
import org.hearth.server.config.EnvOverrides;
import org.hearth.server.config.InvalidConfigException;
import org.hearth.spec.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code hearth plugins list|load|unload|reload}: asks the running server's admin endpoints
 * ({@code /_hearth/admin/v1/plugins}) with a server admin's access token, so plugins change without a restart.
 */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = {"List, load, unload or reload plugins of a running Hearth server.",
                "  list             every plugin found, with its state",
                "  load FILE.jar    a jar copied into the plugin directory (a known one is reloaded)",
                "  unload ID        stop a plugin and drop its classes",
                "  reload ID        unload, then load its jar again (a replaced jar takes effect)",
                "Needs a server admin's access token: --token or HEARTH_ADMIN_TOKEN."})
public final class PluginsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ACTION", description = "list, load, unload or reload")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ARG", description = "The jar (load) or the plugin ID (unload, reload).")
    String argument;

    @Option(names = "--token", paramLabel = "TOKEN", description = "A server admin's access token (env HEARTH_ADMIN_TOKEN).")
    String token;

    @Option(names = "--config", paramLabel = "FILE", description = "The server's config file (default: <data dir>/hearth.yaml).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory holding hearth.yaml (env HEARTH_DATA_DIR; default ./data).")
    Path dataDir;

    @Option(names = "--url", paramLabel = "URL", description = "The client API base URL (default: http://127.0.0.1:<listeners.client.port>).")
    String url;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    public PluginsCommand() {
        this(System.getenv(), System.out, System.err);
    }

    PluginsCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = env;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        String admin = token != null ? token : env.getOrDefault("HEARTH_ADMIN_TOKEN", "");
        if (admin.isBlank()) {
            err.println("hearth: a server admin's access token is needed (--token or HEARTH_ADMIN_TOKEN)");
            return Main.EXIT_USAGE;
        }
        boolean needsArgument = !action.equals("list");
        if (!java.util.List.of("list", "load", "unload", "reload").contains(action) || needsArgument == (argument == null)) {
            err.println("hearth: usage: hearth plugins list | load FILE.jar | unload ID | reload ID");
            return Main.EXIT_USAGE;
        }
        String base = url != null ? url.replaceAll("/+$", "") : null;
        if (base == null) {
            try {
                Path file = DataDirectory.configFile(config, dataDir, env);
                base = RegisterUserCommand.defaultUrl(ConfigLoader.load(file, EnvOverrides.from(env)));
            } catch (InvalidConfigException e) {
                err.println("hearth: " + e.getMessage() + " (or give --url)");
                return Main.EXIT_CONFIG;
            }
            if (base == null) {
                err.println("hearth: the client API is on the TLS listener (listeners.combined); give --url");
                return Main.EXIT_USAGE;
            }
        }
        String path = "/_hearth/admin/v1/plugins";
        HttpRequest.Builder request;
        if (action.equals("list")) {
            request = HttpRequest.newBuilder(URI.create(base + path)).GET();
        } else if (action.equals("load")) {
            // The server loads from its own plugin directory: only the file's name is sent.
            String name = Path.of(argument).getFileName().toString();
            request = HttpRequest.newBuilder(URI.create(base + path + "/load")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.objectBuilder().add("file", name).build().toString()));
        } else {
            request = HttpRequest.newBuilder(URI.create(base + path + "/" + URLEncoder.encode(argument, StandardCharsets.UTF_8)
                    + "/" + action)).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}"));
        }
        try {
            HttpResponse<String> res = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(request.header("Authorization", "Bearer " + admin).timeout(Duration.ofSeconds(60)).build(),
                            HttpResponse.BodyHandlers.ofString());
            JsonObject body;
            try {
                body = Json.parseObject(res.body());
            } catch (RuntimeException notJson) {
                err.println("hearth: the server answered HTTP " + res.statusCode() + ": " + res.body());
                return Main.EXIT_FAILURE;
            }
            if (res.statusCode() != 200) {
                err.println("hearth: the server refused (HTTP " + res.statusCode() + "): " + body.getString("errcode", "?")
                        + ": " + body.getString("error", ""));
                return Main.EXIT_FAILURE;
            }
            if (action.equals("list")) {
                body.getJsonArray("plugins").forEach(p -> out.println(line(p.asJsonObject())));
            } else {
                out.println(line(body));
            }
            boolean started = action.equals("list") || action.equals("unload") || body.getString("state", "").equals("started");
            return started ? Main.EXIT_OK : Main.EXIT_FAILURE;
        } catch (ConnectException e) {
            err.println("hearth: cannot reach " + base + ": is the server running?");
            return Main.EXIT_UNAVAILABLE;
        } catch (IOException | RuntimeException e) {
            err.println("hearth: request to " + base + " failed: " + e.getMessage());
            return Main.EXIT_UNAVAILABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILURE;
        }
    }

    private static String line(JsonObject plugin) {
        String reason = plugin.getString("reason", "");
        return plugin.getString("id") + "\t" + plugin.getString("version", "") + "\t" + plugin.getString("state")
                + (reason.isEmpty() ? "" : "\t" + reason);
    }
}
