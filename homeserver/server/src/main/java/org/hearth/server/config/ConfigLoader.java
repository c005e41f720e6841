package org.hearth.server.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigException;
import io.helidon.config.ConfigSources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.room.RoomVersion;

/**
 * Reads {@code hearth.yaml} with overrides layered on top (command-line flags, then environment variables).
 *
 * <p>Helidon Config rather than snakeyaml directly: it is already on the classpath for the webserver, it layers
 * sources (overrides over the file) without merge code of ours, and addresses keys by path. Environment and
 * system-property sources are switched off: only the documented HEARTH_* variables ({@link EnvOverrides}) apply,
 * and {@code ${...}} is not expanded so a password may contain it.
 */
public final class ConfigLoader {
    static final String DEFAULT_TLS_ALIAS = "hearth-federation";
    // The generated keystore holds a self-signed certificate and is protected by its file mode (0600) like the
    // signing key; generated configs carry a random password anyway.
    static final String DEFAULT_TLS_PASSWORD = "hearth";
    static final long DEFAULT_MAX_REQUEST_BODY_BYTES = 50L * 1024 * 1024;

    private static final Set<String> KNOWN_KEYS = Set.of(
            "server_name", "public_baseurl", "data_dir", "media_dir", "default_room_version",
            "listeners.client.port", "listeners.client.bind_address",
            "listeners.federation.port", "listeners.federation.bind_address", "listeners.combined",
            "database.type", "database.url", "database.user", "database.password", "database.pool_size",
            "registration.open", "registration.shared_secret",
            "support.support_page", "presence.idle_timeout_ms",
            "delayed_events.max_delay_ms", "delayed_events.max_scheduled",
            "voip.turn_shared_secret", "voip.turn_user_lifetime_ms", "voip.livekit_service_url",
            "limits.max_request_body_bytes", "limits.rate_limits",
            "limits.messages_per_second", "limits.messages_burst", "limits.joins_per_second", "limits.joins_burst",
            "federation.verify_tls", "federation.allow_private_addresses", "federation.max_missing_events", "federation.trusted_ca_file",
            "tls.keystore", "tls.keystore_password", "tls.alias",
            "security.password_hash_cost",
            "media.max_upload_size", "media.max_pending_uploads", "media.unused_expiration_ms",
            "media.max_image_pixels", "media.thumbnail_sizes", "media.enable_authenticated_media",
            "media.url_preview.enabled", "media.url_preview.ip_range_blacklist", "media.url_preview.ip_range_whitelist",
            "media.url_preview.max_spider_size", "media.max_user_storage_bytes", "media.quota_info_uri",
            "plugins.dir", "plugins.call_budget_ms", "plugins.max_failures",
            "retention.enabled", "retention.default_policy.min_lifetime", "retention.default_policy.max_lifetime",
            "retention.allowed_lifetime_min", "retention.allowed_lifetime_max", "retention.purge_interval_ms");
    // Each plugin's own section, plugin_config.<pluginId>.<key>, is the plugin's to check.
    private static final String PLUGIN_CONFIG = "plugin_config";

    // A list of objects, checked entry by entry in trustedKeyServers.
    private static final String TRUSTED_KEY_SERVERS = "federation.trusted_key_servers";

    private static final String APP_SERVICE_FILES = "app_service_config_files";

    private static final String TURN_URIS = "voip.turn_uris";

    // A list of objects, checked entry by entry in support.
    private static final String SUPPORT_CONTACTS = "support.contacts";

    private ConfigLoader() {}

    /** Loads {@code file} (which must exist) under {@code overrides} (config key to value). */
    public static HearthConfig load(Path file, Map<String, String> overrides) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidConfigException("config file " + file + " does not exist (hearth generate-config writes one)");
        }
        Config config;
        try {
            config = Config.builder()
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .disableValueResolving()
                    .disableKeyResolving()
                    // The first source wins: overrides, then the file.
                    .sources(ConfigSources.create(overrides), ConfigSources.file(file))
                    .build();
            // Helidon parses lazily; touch the tree so a YAML syntax error surfaces here, with the file name.
            config.traverse().count();
        } catch (ConfigException e) {
            throw new InvalidConfigException("cannot read " + file + ": " + rootMessage(e), e);
        }
        checkNoUnknownKeys(config, file);
        return read(config);
    }

    private static void checkNoUnknownKeys(Config config, Path file) {
        Set<String> unknown = config.traverse()
                .filter(Config::isLeaf)
                .map(node -> node.key().toString())
                .filter(key -> !KNOWN_KEYS.contains(key) && !key.startsWith(TRUSTED_KEY_SERVERS + ".")
                        && !key.startsWith(SUPPORT_CONTACTS + ".")
                        && !key.startsWith(PLUGIN_CONFIG + ".") && !key.matches(APP_SERVICE_FILES + "(\\.[0-9]+)?")
                        && !key.matches(TURN_URIS + "(\\.[0-9]+)?"))
                .collect(Collectors.toCollection(java.util.TreeSet::new));
        if (!unknown.isEmpty()) {
            // A misspelt key would otherwise silently fall back to its default.
            throw new InvalidConfigException("unknown config keys in " + file + ": " + String.join(", ", unknown));
        }
    }

    static HearthConfig read(Config c) {
        String serverName = string(c, "server_name").orElseThrow(
                () -> new InvalidConfigException("server_name is required (or set HEARTH_SERVER_NAME)"));
        checkServerName(serverName);
        Path dataDir = Path.of(string(c, "data_dir").orElse("data")).toAbsolutePath().normalize();
        Path mediaDir = string(c, "media_dir").map(Path::of).orElse(dataDir.resolve("media")).toAbsolutePath().normalize();

        var listeners = new HearthConfig.Listeners(
                new HearthConfig.Listener(string(c, "listeners.client.bind_address").orElse("0.0.0.0"),
                        port(c, "listeners.client.port", 8008)),
                new HearthConfig.Listener(string(c, "listeners.federation.bind_address").orElse("0.0.0.0"),
                        port(c, "listeners.federation.port", 8448)),
                bool(c, "listeners.combined", false));

        String type = string(c, "database.type").orElse("embedded").toLowerCase(Locale.ROOT);
        var database = switch (type) {
            case "embedded" -> new HearthConfig.DatabaseConfig(true, "", "root", "", poolSize(c));
            case "external" -> {
                String url = string(c, "database.url").orElseThrow(() -> new InvalidConfigException(
                        "database.url is required when database.type is external (or set HEARTH_DATABASE_URL)"));
                if (!url.startsWith("jdbc:mariadb://") && !url.startsWith("jdbc:mysql://")) {
                    throw new InvalidConfigException("database.url must look like jdbc:mariadb://host:port/name, got " + url);
                }
                yield new HearthConfig.DatabaseConfig(false, url, string(c, "database.user").orElse(""),
                        c.get("database.password").asString().orElse(""), poolSize(c));
            }
            default -> throw new InvalidConfigException("database.type must be embedded or external, got " + type);
        };

        var registration = new HearthConfig.Registration(bool(c, "registration.open", false),
                string(c, "registration.shared_secret"));

        String versionId = string(c, "default_room_version").orElse(RoomVersion.DEFAULT.id());
        RoomVersion version = RoomVersion.find(versionId)
                .filter(RoomVersion::stable)
                .orElseThrow(() -> new InvalidConfigException("default_room_version " + versionId
                        + " is not a stable room version this server knows (1 to 12)"));

        long maxBody = integer(c, "limits.max_request_body_bytes", DEFAULT_MAX_REQUEST_BODY_BYTES);
        // Below 64 KiB a single maximum-size event (spec: 65536 bytes) would not fit in a request.
        if (maxBody < 65_536) {
            throw new InvalidConfigException("limits.max_request_body_bytes must be at least 65536, got " + maxBody);
        }
        // Synapse's defaults: rc_message 0.2/s burst 10, rc_joins (local) 0.1/s burst 10.
        var limits = new HearthConfig.Limits(maxBody, bool(c, "limits.rate_limits", true),
                rate(c, "limits.messages", 0.2, 10), rate(c, "limits.joins", 0.1, 10));
        Optional<Path> trustedCa = string(c, "federation.trusted_ca_file").map(Path::of).map(Path::toAbsolutePath);
        trustedCa.ifPresent(f -> {
            if (!Files.isReadable(f)) {
                throw new InvalidConfigException("federation.trusted_ca_file " + f + " is not a readable file");
            }
        });
        var federation = new HearthConfig.Federation(bool(c, "federation.verify_tls", true),
                bool(c, "federation.allow_private_addresses", false), trustedCa, trustedKeyServers(c),
                maxMissingEvents(c));
        var tls = new HearthConfig.Tls(
                string(c, "tls.keystore").map(Path::of).orElse(dataDir.resolve("tls").resolve("federation.p12"))
                        .toAbsolutePath().normalize(),
                c.get("tls.keystore_password").asString().orElse(DEFAULT_TLS_PASSWORD),
                string(c, "tls.alias").orElse(DEFAULT_TLS_ALIAS));

        String cost = string(c, "security.password_hash_cost").orElse("default").toLowerCase(Locale.ROOT);
        if (!cost.equals("default") && !cost.equals("test")) {
            throw new InvalidConfigException("security.password_hash_cost must be default or test, got '" + cost + "'");
        }
        return new HearthConfig(serverName, string(c, "public_baseurl"), dataDir, mediaDir, listeners, database,
                registration, version, limits, federation, tls, new HearthConfig.Security(cost), media(c), plugins(c, dataDir),
                appServiceFiles(c), retention(c), support(c), presence(c), voip(c), delayedEvents(c));
    }

    private static HearthConfig.DelayedEvents delayedEvents(Config c) {
        // Synapse's recommended 24 h; Element Call asks for seconds and restarts them while the call lasts.
        long maxDelay = integer(c, "delayed_events.max_delay_ms", 86_400_000);
        if (maxDelay < 0 || maxDelay > 365L * 86_400_000) {
            throw new InvalidConfigException("delayed_events.max_delay_ms must be from 0 (off) to 31536000000, got "
                    + maxDelay);
        }
        long maxScheduled = integer(c, "delayed_events.max_scheduled", 100);
        if (maxScheduled < 1 || maxScheduled > 100_000) {
            throw new InvalidConfigException("delayed_events.max_scheduled must be from 1 to 100000, got " + maxScheduled);
        }
        return new HearthConfig.DelayedEvents(maxDelay, (int) maxScheduled);
    }

    /** {@code voip.turn_uris}: a YAML list, or (from an override) one comma-separated string. */
    private static HearthConfig.Voip voip(Config c) {
        Config node = c.get(TURN_URIS);
        List<String> uris = (node.isLeaf()
                ? string(c, TURN_URIS).map(v -> java.util.Arrays.asList(v.split(","))).orElse(List.of())
                : node.asNodeList().orElse(List.of()).stream().map(n -> n.asString().orElse("")).toList())
                .stream().map(String::strip).filter(u -> !u.isEmpty()).toList();
        for (String uri : uris) {
            if (!uri.matches("turns?:[^\\s]+")) {
                throw new InvalidConfigException(TURN_URIS + ": '" + uri + "' is not a turn: or turns: URI");
            }
        }
        long lifetime = integer(c, "voip.turn_user_lifetime_ms", 86_400_000);
        if (lifetime < 60_000 || lifetime > 7L * 86_400_000) {
            throw new InvalidConfigException("voip.turn_user_lifetime_ms must be from 60000 to 604800000, got " + lifetime);
        }
        Optional<String> livekit = string(c, "voip.livekit_service_url");
        livekit.ifPresent(url -> {
            if (!url.startsWith("https://") && !url.startsWith("http://")) {
                throw new InvalidConfigException("voip.livekit_service_url must be an http(s) URL, got '" + url + "'");
            }
        });
        return new HearthConfig.Voip(uris, string(c, "voip.turn_shared_secret"), lifetime, livekit);
    }

    private static HearthConfig.Presence presence(Config c) {
        long idle = integer(c, "presence.idle_timeout_ms", 300_000);
        if (idle < 1_000 || idle > 86_400_000) {
            throw new InvalidConfigException("presence.idle_timeout_ms must be from 1000 to 86400000, got " + idle);
        }
        return new HearthConfig.Presence(idle);
    }

    private static HearthConfig.Support support(Config c) {
        List<HearthConfig.SupportContact> contacts = new ArrayList<>();
        for (Config entry : c.get(SUPPORT_CONTACTS).asNodeList().orElse(List.of())) {
            String where = SUPPORT_CONTACTS + "." + entry.name();
            for (Config child : entry.asNodeList().orElse(List.of())) {
                if (!Set.of("role", "matrix_id", "email_address").contains(child.name())) {
                    throw new InvalidConfigException("unknown key " + where + "." + child.name()
                            + " (expected role, matrix_id, email_address)");
                }
            }
            String role = string(entry, "role").orElseThrow(() -> new InvalidConfigException(where + ".role is required"));
            Optional<String> matrixId = string(entry, "matrix_id");
            Optional<String> email = string(entry, "email_address");
            if (matrixId.isEmpty() && email.isEmpty()) {
                throw new InvalidConfigException(where + " needs matrix_id or email_address");
            }
            matrixId.ifPresent(id -> {
                try {
                    org.hearth.spec.id.UserId.parse(id);
                } catch (RuntimeException e) {
                    throw new InvalidConfigException(where + ".matrix_id '" + id + "' is not a user ID");
                }
            });
            contacts.add(new HearthConfig.SupportContact(role, matrixId, email));
        }
        return new HearthConfig.Support(List.copyOf(contacts), string(c, "support.support_page"));
    }

    private static HearthConfig.Retention retention(Config c) {
        Long defaultMin = lifetime(c, "retention.default_policy.min_lifetime");
        Long defaultMax = lifetime(c, "retention.default_policy.max_lifetime");
        Long allowedMin = lifetime(c, "retention.allowed_lifetime_min");
        Long allowedMax = lifetime(c, "retention.allowed_lifetime_max");
        if (defaultMin != null && defaultMax != null && defaultMin > defaultMax) {
            throw new InvalidConfigException("retention.default_policy.min_lifetime must not exceed max_lifetime");
        }
        if (allowedMin != null && allowedMax != null && allowedMin > allowedMax) {
            throw new InvalidConfigException("retention.allowed_lifetime_min must not exceed allowed_lifetime_max");
        }
        long interval = integer(c, "retention.purge_interval_ms", 3_600_000);
        if (interval < 100 || interval > 604_800_000) {
            throw new InvalidConfigException("retention.purge_interval_ms must be from 100 to 604800000, got " + interval);
        }
        return new HearthConfig.Retention(bool(c, "retention.enabled", false), defaultMin, defaultMax, allowedMin,
                allowedMax, interval);
    }

    private static Long lifetime(Config c, String key) {
        if (string(c, key).isEmpty()) {
            return null;
        }
        long v = integer(c, key, 0);
        if (v <= 0) {
            throw new InvalidConfigException(key + " must be a positive number of milliseconds, got " + v);
        }
        return v;
    }

    private static HearthConfig.Plugins plugins(Config c, Path dataDir) {
        Path dir = string(c, "plugins.dir").map(Path::of).orElse(dataDir.resolve("plugins")).toAbsolutePath().normalize();
        long budget = integer(c, "plugins.call_budget_ms", 1000);
        if (budget < 10 || budget > 60_000) {
            throw new InvalidConfigException("plugins.call_budget_ms must be from 10 to 60000, got " + budget);
        }
        long failures = integer(c, "plugins.max_failures", 5);
        if (failures < 1 || failures > 1000) {
            throw new InvalidConfigException("plugins.max_failures must be from 1 to 1000, got " + failures);
        }
        java.util.Map<String, java.util.Map<String, String>> sections = new java.util.TreeMap<>();
        Config root = c.get(PLUGIN_CONFIG);
        root.traverse().filter(Config::isLeaf).forEach(node -> {
            String key = node.key().toString().substring(PLUGIN_CONFIG.length() + 1);
            int dot = key.indexOf('.');
            if (dot > 0) {
                sections.computeIfAbsent(key.substring(0, dot), k -> new java.util.TreeMap<>())
                        .put(key.substring(dot + 1), node.asString().orElse(""));
            }
        });
        return new HearthConfig.Plugins(dir, budget, (int) failures, sections);
    }

    private static HearthConfig.Media media(Config c) {
        var defaults = org.hearth.core.media.MediaSettings.defaults();
        long maxUpload = integer(c, "media.max_upload_size", defaults.maxUploadBytes());
        if (maxUpload < 1 || maxUpload > Integer.MAX_VALUE) {
            throw new InvalidConfigException("media.max_upload_size must be from 1 to " + Integer.MAX_VALUE + " bytes, got " + maxUpload);
        }
        long pending = integer(c, "media.max_pending_uploads", defaults.maxPendingUploads());
        if (pending < 1 || pending > 1000) {
            throw new InvalidConfigException("media.max_pending_uploads must be from 1 to 1000, got " + pending);
        }
        long expiry = integer(c, "media.unused_expiration_ms", defaults.unusedExpiry().toMillis());
        if (expiry < 1000) {
            throw new InvalidConfigException("media.unused_expiration_ms must be at least 1000, got " + expiry);
        }
        long pixels = integer(c, "media.max_image_pixels", defaults.maxImagePixels());
        if (pixels < 1) {
            throw new InvalidConfigException("media.max_image_pixels must be positive, got " + pixels);
        }
        java.util.List<org.hearth.core.media.ThumbnailSize> sizes = defaults.thumbnailSizes();
        var text = string(c, "media.thumbnail_sizes");
        if (text.isPresent()) {
            try {
                sizes = org.hearth.core.media.ThumbnailSize.parseList(text.get());
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException("media.thumbnail_sizes: " + e.getMessage());
            }
        }
        long spider = integer(c, "media.url_preview.max_spider_size", 10L * 1024 * 1024);
        if (spider < 1024 || spider > Integer.MAX_VALUE - 8) {
            throw new InvalidConfigException("media.url_preview.max_spider_size must be from 1024 to " + (Integer.MAX_VALUE - 8)
                    + " bytes, got " + spider);
        }
        var preview = new HearthConfig.UrlPreview(bool(c, "media.url_preview.enabled", false),
                ranges(c, "media.url_preview.ip_range_blacklist", org.hearth.core.media.AddressRanges.DEFAULT_DENIED),
                ranges(c, "media.url_preview.ip_range_whitelist", ""), spider);
        long quota = integer(c, "media.max_user_storage_bytes", 0);
        if (quota < 0) {
            throw new InvalidConfigException("media.max_user_storage_bytes must be 0 (no quota) or positive, got " + quota);
        }
        String infoUri = string(c, "media.quota_info_uri").orElse("");
        if (quota > 0 && !infoUri.startsWith("https://") && !infoUri.startsWith("http://")) {
            // The spec requires info_uri on M_USER_LIMIT_EXCEEDED: a page telling users about the quota.
            throw new InvalidConfigException("media.quota_info_uri (an http(s) URL) is required when media.max_user_storage_bytes is set");
        }
        return new HearthConfig.Media(maxUpload, (int) pending, expiry, pixels, sizes,
                bool(c, "media.enable_authenticated_media", defaults.authenticatedOnly()), preview, quota, infoUri);
    }

    private static String ranges(Config c, String key, String fallback) {
        // Present but empty is a valid (empty) list; absent is the default.
        String text = c.get(key).asString().asOptional().orElse(fallback);
        try {
            org.hearth.core.media.AddressRanges.parse(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(key + ": " + e.getMessage());
        }
        return text;
    }

    /** A YAML list of paths, or (from an override) one string of comma-separated paths. */
    private static java.util.List<Path> appServiceFiles(Config c) {
        Config node = c.get(APP_SERVICE_FILES);
        java.util.List<String> paths = node.isLeaf()
                ? string(c, APP_SERVICE_FILES).map(v -> java.util.Arrays.asList(v.split(","))).orElse(java.util.List.of())
                : node.asList(String.class).orElse(java.util.List.of());
        return paths.stream().map(String::strip).filter(p -> !p.isEmpty())
                .map(p -> Path.of(p).toAbsolutePath().normalize()).toList();
    }

    private static List<HearthConfig.TrustedKeyServer> trustedKeyServers(Config c) {
        Config list = c.get(TRUSTED_KEY_SERVERS);
        if (!list.exists()) {
            return List.of();
        }
        List<HearthConfig.TrustedKeyServer> out = new ArrayList<>();
        for (Config entry : list.asNodeList().orElse(List.of())) {
            String where = TRUSTED_KEY_SERVERS + "." + entry.name();
            for (Config child : entry.asNodeList().orElse(List.of())) {
                if (!child.name().equals("server_name") && !child.name().equals("verify_keys")) {
                    throw new InvalidConfigException("unknown key " + where + "." + child.name()
                            + " (expected server_name and verify_keys)");
                }
            }
            String name = string(entry, "server_name").orElseThrow(
                    () -> new InvalidConfigException(where + ".server_name is required"));
            if (!ServerName.isValid(name)) {
                throw new InvalidConfigException(where + ".server_name '" + name + "' is not a valid server name");
            }
            Map<String, String> keys = new LinkedHashMap<>();
            for (Config key : entry.get("verify_keys").asNodeList().orElse(List.of())) {
                String value = key.asString().orElse("").strip();
                if (!key.name().startsWith("ed25519:") || !isPublicKey(value)) {
                    throw new InvalidConfigException(where + ".verify_keys." + key.name()
                            + " must be an ed25519:<id> key ID with a 32-byte unpadded base64 public key");
                }
                keys.put(key.name(), value);
            }
            out.add(new HearthConfig.TrustedKeyServer(name, keys));
        }
        return out;
    }

    private static boolean isPublicKey(String base64) {
        try {
            return UnpaddedBase64.decode(base64).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static void checkServerName(String serverName) {
        // The grammar allows any 5-digit port; our own name must also be reachable, so 1 to 65535.
        if (!ServerName.isValid(serverName)
                || ServerName.parse(serverName).port().stream().anyMatch(p -> p < 1 || p > 65535)) {
            throw new InvalidConfigException("server_name '" + serverName
                    + "' is not a valid Matrix server name (hostname or IP, optionally :port)");
        }
    }

    private static Optional<String> string(Config c, String key) {
        return c.get(key).asString().asOptional().map(String::strip).filter(s -> !s.isEmpty());
    }

    private static boolean bool(Config c, String key, boolean fallback) {
        return string(c, key).map(v -> switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "on", "yes", "1" -> true;
            case "false", "off", "no", "0" -> false;
            default -> throw new InvalidConfigException(key + " must be true or false (or on/off), got '" + v + "'");
        }).orElse(fallback);
    }

    private static long integer(Config c, String key, long fallback) {
        return string(c, key).map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException(key + " must be an integer, got '" + v + "'");
            }
        }).orElse(fallback);
    }

    private static HearthConfig.Rate rate(Config c, String prefix, double perSecond, int burst) {
        String key = prefix + "_per_second";
        double rate = string(c, key).map(v -> {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new InvalidConfigException(key + " must be a number, got '" + v + "'");
            }
        }).orElse(perSecond);
        if (!(rate > 0) || Double.isInfinite(rate)) {
            throw new InvalidConfigException(key + " must be above 0, got " + rate);
        }
        long count = integer(c, prefix + "_burst", burst);
        if (count < 1 || count > 1_000_000) {
            throw new InvalidConfigException(prefix + "_burst must be from 1 to 1000000, got " + count);
        }
        return new HearthConfig.Rate(rate, (int) count);
    }

    private static int port(Config c, String key, int fallback) {
        long port = integer(c, key, fallback);
        if (port < 0 || port > 65535) {
            throw new InvalidConfigException(key + " must be a port from 0 (any free port) to 65535, got " + port);
        }
        return (int) port;
    }

    private static int maxMissingEvents(Config c) {
        long max = integer(c, "federation.max_missing_events", HearthConfig.Federation.DEFAULT_MAX_MISSING_EVENTS);
        if (max < 10 || max > 100_000) {
            throw new InvalidConfigException("federation.max_missing_events must be from 10 to 100000, got " + max);
        }
        return (int) max;
    }

    private static int poolSize(Config c) {
        long size = integer(c, "database.pool_size", 10);
        if (size < 1 || size > 1000) {
            throw new InvalidConfigException("database.pool_size must be from 1 to 1000, got " + size);
        }
        return (int) size;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage();
    }
}
