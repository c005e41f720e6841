package org.hearth.bridge.appservice;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A bridge's registration (spec: Application Service API, "Registration"), the YAML file the homeserver operator
 * lists in the homeserver's config. The bridge keeps the same file: its tokens authenticate both directions.
 *
 * @param url           where the homeserver pushes transactions; null for a bridge that only talks the C-S API
 * @param userRegex     the users namespace (the sender is always included); exclusive when {@code exclusive}
 * @param aliasRegex    the aliases namespace, or null for none
 */
public record Registration(String id, String url, String asToken, String hsToken, String senderLocalpart,
                           String userRegex, String aliasRegex, boolean exclusive, boolean rateLimited,
                           List<String> protocols, boolean receiveEphemeral) {
    private static final SecureRandom RANDOM = new SecureRandom();

    public Registration {
        require(id, "id");
        require(asToken, "as_token");
        require(hsToken, "hs_token");
        require(senderLocalpart, "sender_localpart");
        if (asToken.equals(hsToken)) {
            throw new IllegalArgumentException("as_token and hs_token must differ");
        }
        protocols = protocols == null ? List.of() : List.copyOf(protocols);
    }

    /**
     * A new registration with fresh random tokens: virtual users {@code @<prefix>.*:<server>} (regex-escaped, so
     * a dot in the server name only matches a dot), exclusive, not rate limited.
     */
    public static Registration generate(String id, String url, String senderLocalpart, String userPrefix,
                                        String serverName) {
        String users = "@" + java.util.regex.Pattern.quote(userPrefix) + ".*:" + java.util.regex.Pattern.quote(serverName);
        return new Registration(id, url, token(), token(), senderLocalpart, users, null, true, false, List.of(), false);
    }

    public Registration withAliases(String regex) {
        return new Registration(id, url, asToken, hsToken, senderLocalpart, userRegex, regex, exclusive, rateLimited,
                protocols, receiveEphemeral);
    }

    public Registration withProtocols(List<String> names) {
        return new Registration(id, url, asToken, hsToken, senderLocalpart, userRegex, aliasRegex, exclusive,
                rateLimited, names, receiveEphemeral);
    }

    public Registration withReceiveEphemeral(boolean receive) {
        return new Registration(id, url, asToken, hsToken, senderLocalpart, userRegex, aliasRegex, exclusive,
                rateLimited, protocols, receive);
    }

    /** The registration in the standard YAML format, with the MSC2409 key old homeservers read. */
    public String toYaml() {
        var out = new StringBuilder();
        out.append("id: ").append(quote(id)).append('\n');
        out.append("url: ").append(url == null ? "null" : quote(url)).append('\n');
        out.append("as_token: ").append(quote(asToken)).append('\n');
        out.append("hs_token: ").append(quote(hsToken)).append('\n');
        out.append("sender_localpart: ").append(quote(senderLocalpart)).append('\n');
        out.append("rate_limited: ").append(rateLimited).append('\n');
        if (!protocols.isEmpty()) {
            out.append("protocols: [").append(String.join(", ", protocols.stream().map(Registration::quote).toList()))
                    .append("]\n");
        }
        if (receiveEphemeral) {
            out.append("receive_ephemeral: true\nde.sorunome.msc2409.push_ephemeral: true\n");
        }
        out.append("namespaces:\n  users:\n");
        if (userRegex != null) {
            out.append("    - exclusive: ").append(exclusive).append("\n      regex: ").append(quote(userRegex)).append('\n');
        }
        out.append("  aliases:\n");
        if (aliasRegex != null) {
            out.append("    - exclusive: ").append(exclusive).append("\n      regex: ").append(quote(aliasRegex)).append('\n');
        }
        out.append("  rooms: []\n");
        return out.toString();
    }

    public void write(Path file) {
        try {
            Files.writeString(file, toYaml());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a registration file (ours or one another tool wrote); the first users and aliases entries are kept. */
    @SuppressWarnings("unchecked")
    public static Registration read(Path file) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(file + ": not a YAML mapping");
        }
        Map<String, Object> m = (Map<String, Object>) map;
        Map<String, Object> namespaces = m.get("namespaces") instanceof Map<?, ?> n ? (Map<String, Object>) n : Map.of();
        Map<String, Object> user = first(namespaces.get("users"));
        Map<String, Object> alias = first(namespaces.get("aliases"));
        Object ephemeral = m.getOrDefault("receive_ephemeral", m.get("de.sorunome.msc2409.push_ephemeral"));
        return new Registration(string(m, "id"), m.get("url") == null ? null : m.get("url").toString(),
                string(m, "as_token"), string(m, "hs_token"), string(m, "sender_localpart"),
                user == null ? null : string(user, "regex"), alias == null ? null : string(alias, "regex"),
                user != null && Boolean.TRUE.equals(user.get("exclusive")),
                !Boolean.FALSE.equals(m.get("rate_limited")),
                m.get("protocols") instanceof List<?> l ? l.stream().map(Object::toString).toList() : List.of(),
                Boolean.TRUE.equals(ephemeral));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Object list) {
        return list instanceof List<?> l && !l.isEmpty() && l.getFirst() instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static String string(Map<String, Object> m, String key) {
        Object v = m.get(key);
        if (v == null) {
            throw new IllegalArgumentException("registration has no " + key);
        }
        return v.toString();
    }

    private static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("registration needs " + key);
        }
    }

    private static String token() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    // Single quotes: YAML's only escape inside them is a doubled quote, and regex backslashes stay as they are.
    private static String quote(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
