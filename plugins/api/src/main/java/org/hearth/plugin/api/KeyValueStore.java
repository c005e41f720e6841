package org.hearth.plugin.api;

import jakarta.json.JsonObject;
import java.util.Map;
import java.util.Optional;

/**
 * The plugin's own durable storage: JSON objects under string keys, kept in the homeserver's database and seen
 * only by this plugin. Keys are at most 255 characters.
 */
public interface KeyValueStore {
    Optional<JsonObject> get(String key);

    void put(String key, JsonObject value);

    /** @return whether the key existed */
    boolean delete(String key);

    /**
     * Stores {@code value} only if the key still holds {@code expected} (compared as stored JSON text): the way to
     * update a counter under concurrent requests.
     *
     * @return whether it was stored
     */
    boolean replace(String key, JsonObject expected, JsonObject value);

    /** Every key starting with {@code prefix}, in key order, at most {@code limit}. */
    Map<String, JsonObject> list(String prefix, int limit);
}
