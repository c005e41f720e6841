package org.hearth.server.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment variables that override {@code hearth.yaml}, each mapped to the config key it replaces.
 * A fixed table, not a naming scheme: every variable is documented in homeserver/README.md and a typo is not
 * silently turned into a new key.
 */
public final class EnvOverrides {
    static final Map<String, String> KEYS = table();

    private EnvOverrides() {}

    private static Map<String, String> table() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("HEARTH_SERVER_NAME", "server_name");
        keys.put("HEARTH_DATA_DIR", "data_dir");
        keys.put("HEARTH_CLIENT_PORT", "listeners.client.port");
        keys.put("HEARTH_FEDERATION_PORT", "listeners.federation.port");
        keys.put("HEARTH_DATABASE_URL", "database.url");
        keys.put("HEARTH_DATABASE_USER", "database.user");
        keys.put("HEARTH_DATABASE_PASSWORD", "database.password");
        keys.put("HEARTH_OPEN_REGISTRATION", "registration.open");
        keys.put("HEARTH_REGISTRATION_SHARED_SECRET", "registration.shared_secret");
        keys.put("HEARTH_DEFAULT_ROOM_VERSION", "default_room_version");
        keys.put("HEARTH_RATE_LIMITS", "limits.rate_limits");
        keys.put("HEARTH_FEDERATION_VERIFY_TLS", "federation.verify_tls");
        keys.put("HEARTH_FEDERATION_ALLOW_PRIVATE_ADDRESSES", "federation.allow_private_addresses");
        keys.put("HEARTH_FEDERATION_TRUSTED_CA_FILE", "federation.trusted_ca_file");
        keys.put("HEARTH_PASSWORD_HASH_COST", "security.password_hash_cost");
        keys.put("HEARTH_RETENTION_ENABLED", "retention.enabled");
        keys.put("HEARTH_RETENTION_PURGE_INTERVAL_MS", "retention.purge_interval_ms");
        keys.put("HEARTH_TURN_URIS", "voip.turn_uris");
        keys.put("HEARTH_TURN_SHARED_SECRET", "voip.turn_shared_secret");
        return Map.copyOf(keys);
    }

    /** The config keys set by {@code env}. A non-empty HEARTH_DATABASE_URL also selects the external database. */
    public static Map<String, String> from(Map<String, String> env) {
        Map<String, String> overrides = new LinkedHashMap<>();
        KEYS.forEach((variable, key) -> {
            String value = env.get(variable);
            if (value == null) {
                return;
            }
            if (variable.equals("HEARTH_DATABASE_URL")) {
                // Unset or empty means the embedded database (README: "unset means the embedded database").
                if (value.isBlank()) {
                    return;
                }
                overrides.put("database.type", "external");
            }
            overrides.put(key, value);
        });
        return overrides;
    }
}
