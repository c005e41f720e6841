package org.hearth.server.appservice;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.hearth.core.appservice.AppService;
import org.hearth.core.appservice.AppServices;
import org.hearth.server.config.InvalidConfigException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the appservice registration files named by {@code app_service_config_files} (the YAML every bridge
 * generates, as Synapse reads it) and checks them together: a bad file stops the start with its name in the error.
 */
public final class RegistrationFiles {
    private RegistrationFiles() {}

    public static AppServices load(List<Path> files, ServerName server) {
        List<AppService> all = new ArrayList<>();
        Map<String, Path> ids = new HashMap<>();
        Map<String, Path> tokens = new HashMap<>();
        for (Path file : files) {
            AppService as = read(file, server);
            Path other = ids.putIfAbsent(as.id(), file);
            if (other != null) {
                throw new InvalidConfigException(file + ": appservice id '" + as.id() + "' is also used by " + other);
            }
            for (String token : List.of(as.asToken(), as.hsToken())) {
                other = tokens.putIfAbsent(token, file);
                if (other != null) {
                    throw new InvalidConfigException(file + ": its as_token or hs_token is also used by " + other);
                }
            }
            if (as.asToken().equals(as.hsToken())) {
                throw new InvalidConfigException(file + ": as_token and hs_token must differ");
            }
            all.add(as);
        }
        checkExclusiveOverlaps(all, files);
        return new AppServices(all);
    }

    /**
     * Two appservices claiming the same namespace exclusively would each refuse the other: refused when their
     * patterns are the same, or when either's sender falls in the other's exclusive namespace.
     */
    private static void checkExclusiveOverlaps(List<AppService> all, List<Path> files) {
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                AppService a = all.get(i);
                AppService b = all.get(j);
                for (var na : a.users()) {
                    for (var nb : b.users()) {
                        if (na.exclusive() && nb.exclusive() && na.regex().pattern().equals(nb.regex().pattern())) {
                            throw overlap(files.get(j), b, a, na.regex().pattern());
                        }
                    }
                }
                for (var na : a.aliases()) {
                    for (var nb : b.aliases()) {
                        if (na.exclusive() && nb.exclusive() && na.regex().pattern().equals(nb.regex().pattern())) {
                            throw overlap(files.get(j), b, a, na.regex().pattern());
                        }
                    }
                }
                if (a.ownsUserExclusively(b.sender().value())) {
                    throw overlap(files.get(j), b, a, b.sender().value());
                }
                if (b.ownsUserExclusively(a.sender().value())) {
                    throw overlap(files.get(j), b, a, a.sender().value());
                }
            }
        }
    }

    private static InvalidConfigException overlap(Path file, AppService b, AppService a, String what) {
        return new InvalidConfigException(file + ": appservice '" + b.id() + "' overlaps the exclusive namespace of '"
                + a.id() + "' (" + what + ")");
    }

    static AppService read(Path file, ServerName server) {
        Object root;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new InvalidConfigException("cannot read appservice registration " + file + ": " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new InvalidConfigException("appservice registration " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw bad(file, "must be a YAML mapping");
        }
        String id = requiredString(file, map, "id");
        String asToken = requiredString(file, map, "as_token");
        String hsToken = requiredString(file, map, "hs_token");
        String localpart = requiredString(file, map, "sender_localpart");
        UserId sender = UserId.tryParse("@" + localpart + ":" + server.value())
                .orElseThrow(() -> bad(file, "sender_localpart '" + localpart + "' is not a valid localpart"));
        Object urlValue = map.get("url");
        String url = null;
        if (urlValue != null) {
            if (!(urlValue instanceof String s)) {
                throw bad(file, "url must be a string or null");
            }
            url = checkUrl(file, s);
        }
        Map<?, ?> namespaces = map.get("namespaces") == null ? Map.of() : mapping(file, map.get("namespaces"), "namespaces");
        var users = namespace(file, namespaces, "users");
        var aliases = namespace(file, namespaces, "aliases");
        var rooms = namespace(file, namespaces, "rooms");
        boolean rateLimited = bool(file, map, "rate_limited", true);
        List<String> protocols = new ArrayList<>();
        Object protocolList = map.get("protocols");
        if (protocolList != null) {
            if (!(protocolList instanceof List<?> list)) {
                throw bad(file, "protocols must be a list of strings");
            }
            for (Object p : list) {
                if (!(p instanceof String s)) {
                    throw bad(file, "protocols must be a list of strings");
                }
                protocols.add(s);
            }
        }
        boolean ephemeral = bool(file, map, "receive_ephemeral", false)
                || bool(file, map, "de.sorunome.msc2409.push_ephemeral", false);
        boolean msc3202 = bool(file, map, "org.matrix.msc3202", false);
        boolean msc4190 = bool(file, map, "io.element.msc4190", false);
        return new AppService(id, url, asToken, hsToken, sender, users, aliases, rooms, rateLimited,
                List.copyOf(protocols), ephemeral, msc3202, msc4190);
    }

    private static String checkUrl(Path file, String url) {
        try {
            URI uri = new URI(url);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())
                    || uri.getHost() == null) {
                throw bad(file, "url must be an http or https URL, got '" + url + "'");
            }
        } catch (URISyntaxException e) {
            throw bad(file, "url is not a URL: " + e.getMessage());
        }
        // Paths are appended to it.
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static List<AppService.Namespace> namespace(Path file, Map<?, ?> namespaces, String key) {
        Object value = namespaces.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw bad(file, "namespaces." + key + " must be a list");
        }
        List<AppService.Namespace> out = new ArrayList<>();
        for (Object entry : list) {
            Map<?, ?> m = mapping(file, entry, "namespaces." + key + " entries");
            if (!(m.get("regex") instanceof String regex)) {
                throw bad(file, "namespaces." + key + " entries need a string 'regex'");
            }
            Object exclusive = m.get("exclusive");
            if (!(exclusive instanceof Boolean)) {
                throw bad(file, "namespaces." + key + " entry '" + regex + "' needs 'exclusive: true' or 'false'");
            }
            try {
                out.add(new AppService.Namespace(Pattern.compile(regex), (Boolean) exclusive));
            } catch (PatternSyntaxException e) {
                throw bad(file, "namespaces." + key + " regex '" + regex + "' is invalid: " + e.getDescription());
            }
        }
        return List.copyOf(out);
    }

    private static Map<?, ?> mapping(Path file, Object value, String what) {
        if (!(value instanceof Map<?, ?> m)) {
            throw bad(file, what + " must be a mapping");
        }
        return m;
    }

    private static String requiredString(Path file, Map<?, ?> map, String key) {
        Object v = map.get(key);
        if (!(v instanceof String s) || s.isBlank()) {
            throw bad(file, "'" + key + "' is required and must be a non-empty string");
        }
        return s;
    }

    private static boolean bool(Path file, Map<?, ?> map, String key, boolean fallback) {
        Object v = map.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw bad(file, "'" + key + "' must be true or false");
        }
        return b;
    }

    private static InvalidConfigException bad(Path file, String message) {
        return new InvalidConfigException("appservice registration " + file + ": " + message);
    }
}
