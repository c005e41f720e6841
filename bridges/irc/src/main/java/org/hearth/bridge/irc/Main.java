package org.hearth.bridge.irc;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.bridge.appservice.BridgeListener;
import org.hearth.bridge.appservice.BridgeStore;
import org.hearth.bridge.appservice.HomeserverClient;
import org.hearth.bridge.appservice.Registration;
import org.hearth.bridge.appservice.TransactionReceiver;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code --config irc.yaml}: runs the bridge. {@code --config irc.yaml --generate-registration SERVER_NAME}: writes
 * a new registration (users {@code @irc_.*}, aliases {@code #irc_.*}, protocol irc) to the config's
 * {@code registration} path. The keys are in README.md.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        String configFile = null;
        String generateFor = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> configFile = i + 1 < args.length ? args[++i] : null;
                case "--generate-registration" -> generateFor = i + 1 < args.length ? args[++i] : null;
                default -> usage();
            }
        }
        if (configFile == null) {
            usage();
        }
        Map<String, Object> config = load(Path.of(configFile));
        Map<String, Object> bridge = section(config, "bridge");
        Map<String, Object> irc = section(config, "irc");
        String prefix = string(irc, "user_prefix", "irc_");
        Path registrationFile = Path.of(required(config, "registration"));
        if (generateFor != null) {
            Registration r = Registration.generate(string(bridge, "id", "irc"),
                    string(bridge, "url", "http://127.0.0.1:29341"), string(bridge, "bot_localpart", "ircbridge"),
                    prefix, generateFor)
                    .withAliases("#" + java.util.regex.Pattern.quote(prefix) + ".*:" + java.util.regex.Pattern.quote(generateFor))
                    .withProtocols(List.of(IrcBridge.PROTOCOL));
            r.write(registrationFile);
            System.out.println("wrote " + registrationFile);
            return;
        }
        Registration registration = Registration.read(registrationFile);
        Map<String, Object> homeserver = section(config, "homeserver");
        Map<String, Object> database = section(config, "database");
        try (BridgeStore store = BridgeStore.open(registration.id(), required(database, "url"),
                string(database, "user", "root"), string(database, "password", ""))) {
            HomeserverClient client = new HomeserverClient(URI.create(required(homeserver, "url")), registration);
            IrcBridge relay = new IrcBridge(client, store, ircConfig(irc, string(homeserver, "public_url", required(homeserver, "url"))));
            BridgeListener listener = BridgeListener.start(string(bridge, "bind_address", "127.0.0.1"),
                    URI.create(registration.url()).getPort(), new TransactionReceiver(registration, relay, store));
            relay.start();
            System.out.println("listening on " + listener.port() + ", relaying " + relay.relay().nick());
            Thread.currentThread().join();
        }
    }

    @SuppressWarnings("unchecked")
    static IrcConfig ircConfig(Map<String, Object> irc, String publicUrl) {
        Map<String, String> links = new LinkedHashMap<>();
        if (irc.get("links") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> links.put(String.valueOf(k), String.valueOf(v)));
        }
        return new IrcConfig(required(irc, "host"), Integer.parseInt(string(irc, "port", "6667")),
                string(irc, "nick", "hearthbridge"), string(irc, "network_id", null), string(irc, "user_prefix", "irc_"),
                Integer.parseInt(string(irc, "burst", "5")), Double.parseDouble(string(irc, "lines_per_second", "1")),
                links, publicUrl);
    }

    static Map<String, Object> load(Path file) throws IOException {
        try (Reader in = Files.newBufferedReader(file)) {
            Object root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
            if (!(root instanceof Map<?, ?>)) {
                throw new IllegalArgumentException(file + " is not a YAML mapping");
            }
            @SuppressWarnings("unchecked") Map<String, Object> map = (Map<String, Object>) root;
            return map;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> config, String key) {
        return config.get(key) instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    private static String string(Map<String, Object> map, String key, String fallback) {
        Object v = map.get(key);
        return v == null ? fallback : String.valueOf(v);
    }

    private static String required(Map<String, Object> map, String key) {
        String v = string(map, key, null);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("config key " + key + " is required");
        }
        return v;
    }

    private static void usage() {
        System.err.println("usage: java -jar irc-bridge.jar --config irc.yaml [--generate-registration SERVER_NAME]");
        System.exit(64);
    }
}
