package org.hearth.server.cli;

import jakarta.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.hearth.core.account.SharedSecretRegistration;
import org.hearth.server.DataDirectory;
import org.hearth.server.Main;
import org.hearth.server.config.ConfigLoader;
import org.hearth.server.config.EnvOverrides;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.config.InvalidConfigException;
import org.hearth.spec.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code hearth register-user}: creates an account on a running server through Synapse's shared-secret admin API
 * ({@code /_synapse/admin/v1/register}), like Synapse's {@code register_new_matrix_user}. Talking to the server,
 * not the database, works with the embedded database (owned by the running server) and applies every rule of
 * registration in one place.
 */
@Command(name = "register-user", mixinStandardHelpOptions = true,
        description = {"Create a user on a running Hearth server (shared-secret registration).",
                "Needs registration.shared_secret in the config (or HEARTH_REGISTRATION_SHARED_SECRET).",
                "Without --password the password is read from the first line of standard input."})
public final class RegisterUserCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "The server's config file (default: <data dir>/hearth.yaml).")
    Path config;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Data directory holding hearth.yaml (env HEARTH_DATA_DIR; default ./data).")
    Path dataDir;

    @Option(names = "--user", required = true, paramLabel = "NAME", description = "Localpart of the new user, e.g. alice.")
    String user;

    @Option(names = "--password", paramLabel = "P", description = "The password (visible in `ps`; prefer standard input).")
    String password;

    @Option(names = "--admin", description = "Make the user a server admin.")
    boolean admin;

    @Option(names = "--url", paramLabel = "URL", description = "The client API base URL (default: http://127.0.0.1:<listeners.client.port>).")
    String url;

    private final Map<String, String> env;
    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    public RegisterUserCommand() {
        this(System.getenv(), System.in, System.out, System.err);
    }

    RegisterUserCommand(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        this.env = env;
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        HearthConfig settings;
        try {
            Path file = DataDirectory.configFile(config, dataDir, env);
            settings = ConfigLoader.load(file, EnvOverrides.from(env));
        } catch (InvalidConfigException e) {
            err.println("hearth: " + e.getMessage());
            return Main.EXIT_CONFIG;
        }
        Optional<String> secret = settings.registration().sharedSecret();
        if (secret.isEmpty()) {
            err.println("hearth: registration.shared_secret is not set in the config (or HEARTH_REGISTRATION_SHARED_SECRET)");
            return Main.EXIT_CONFIG;
        }
        String base = url != null ? url.replaceAll("/+$", "") : defaultUrl(settings);
        if (base == null) {
            err.println("hearth: the client API is on the TLS listener (listeners.combined); give --url");
            return Main.EXIT_USAGE;
        }
        String pw = password;
        if (pw == null) {
            try {
                pw = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
            } catch (IOException e) {
                pw = null;
            }
            if (pw == null || pw.isEmpty()) {
                err.println("hearth: no password given (--password or a line on standard input)");
                return Main.EXIT_USAGE;
            }
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> nonceRes = send(http, HttpRequest.newBuilder(URI.create(base + "/_synapse/admin/v1/register")).GET());
            if (nonceRes.statusCode() != 200) {
                return refused(nonceRes);
            }
            String nonce = Json.parseObject(nonceRes.body()).getString("nonce");
            String mac = SharedSecretRegistration.mac(secret.get(), nonce, user, pw, admin, null);
            JsonObject body = Json.objectBuilder().add("nonce", nonce).add("username", user).add("password", pw)
                    .add("admin", admin).add("mac", mac).build();
            HttpResponse<String> res = send(http, HttpRequest.newBuilder(URI.create(base + "/_synapse/admin/v1/register"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
            if (res.statusCode() != 200) {
                return refused(res);
            }
            out.println("registered " + Json.parseObject(res.body()).getString("user_id") + (admin ? " (admin)" : ""));
            return Main.EXIT_OK;
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

    private static HttpResponse<String> send(HttpClient http, HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private int refused(HttpResponse<String> res) {
        String detail = res.body();
        try {
            JsonObject error = Json.parseObject(res.body());
            detail = error.getString("errcode", "?") + ": " + error.getString("error", "");
        } catch (RuntimeException notJson) {
            // keep the raw body
        }
        err.println("hearth: the server refused (HTTP " + res.statusCode() + "): " + detail);
        return Main.EXIT_FAILURE;
    }

    static String defaultUrl(HearthConfig settings) {
        if (settings.listeners().combined()) {
            return null;
        }
        var client = settings.listeners().client();
        String host = client.bindAddress().equals("0.0.0.0") || client.bindAddress().equals("::") ? "127.0.0.1" : client.bindAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + client.port();
    }
}
