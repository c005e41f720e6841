package org.hearth.core.plugin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.storage.Database;

/** Plugins' key-value rows (JSON text), and the event positions their observers acknowledged. */
public final class PluginStorage {
    private final Database database;

    public PluginStorage(Database database) {
        this.database = database;
    }

    public Optional<String> get(String pluginId, String key) {
        return database.execute().createNamedGet("plugins-store-get").addParam("plugin_id", pluginId)
                .addParam("store_key", key).execute().map(r -> r.column("value").asString().get());
    }

    public void put(String pluginId, String key, String value) {
        database.transaction(tx -> tx.createNamedInsert("plugins-store-put").addParam("plugin_id", pluginId)
                .addParam("store_key", key).addParam("value", value).execute());
    }

    public boolean delete(String pluginId, String key) {
        return database.transaction(tx -> tx.createNamedDelete("plugins-store-delete").addParam("plugin_id", pluginId)
                .addParam("store_key", key).execute()) > 0;
    }

    /** Compare-and-set on the stored text. */
    public boolean replace(String pluginId, String key, String expected, String value) {
        return database.transaction(tx -> tx.createNamedUpdate("plugins-store-replace").addParam("plugin_id", pluginId)
                .addParam("store_key", key).addParam("expected", expected).addParam("value", value).execute()) > 0;
    }

    /** Keys starting with {@code prefix} (a range scan: the prefix's last character plus one bounds it). */
    public Map<String, String> list(String pluginId, String prefix, int limit) {
        Map<String, String> out = new LinkedHashMap<>();
        String end = prefix + Character.MAX_VALUE;
        try (var rows = database.execute().createNamedQuery("plugins-store-list").addParam("plugin_id", pluginId)
                .addParam("prefix", prefix).addParam("prefix_end", end).addParam("limit", limit).execute()) {
            rows.forEach(r -> out.put(r.column("store_key").asString().get(), r.column("value").asString().get()));
        }
        return out;
    }

    /** The last stream position the plugin's observers acknowledged. */
    public Optional<Long> position(String pluginId) {
        return database.execute().createNamedGet("plugins-position-get").addParam("plugin_id", pluginId).execute()
                .map(r -> ((Number) r.column("position").get()).longValue());
    }

    /** Records an acknowledged position; never moves backwards. */
    public void acknowledge(String pluginId, long position) {
        database.transaction(tx -> tx.createNamedInsert("plugins-position-set").addParam("plugin_id", pluginId)
                .addParam("position", position).execute());
    }

    /** IDs of accepted events with {@code after < position <= upto}, in stream order. */
    public java.util.List<String> eventsAfter(long after, long upto, int limit) {
        var out = new java.util.ArrayList<String>();
        try (var rows = database.execute().createNamedQuery("plugins-events-after").addParam("after", after)
                .addParam("upto", upto).addParam("lim", limit).execute()) {
            rows.forEach(r -> out.add(r.column("event_id").asString().get()));
        }
        return out;
    }

    /** A user's public read receipt in a room. */
    public record Receipt(String userId, String eventId, String threadId, long ts) {}

    /** The room's {@code m.read} receipts, one per user and thread. */
    public java.util.List<Receipt> readReceipts(String roomId) {
        var out = new java.util.ArrayList<Receipt>();
        try (var rows = database.execute().createNamedQuery("plugins-read-receipts").addParam("room_id", roomId).execute()) {
            rows.forEach(r -> out.add(new Receipt(r.column("user_id").asString().get(), r.column("event_id").asString().get(),
                    r.column("thread_id").asString().orElse(""), ((Number) r.column("ts").get()).longValue())));
        }
        return out;
    }

    /** Local users that are neither deactivated nor bots, in ID order after {@code after}. */
    public java.util.List<String> localUsers(String after, int limit) {
        var out = new java.util.ArrayList<String>();
        try (var rows = database.execute().createNamedQuery("plugins-local-users").addParam("after", after)
                .addParam("lim", limit).execute()) {
            rows.forEach(r -> out.add(r.column("user_id").asString().get()));
        }
        return out;
    }
}
