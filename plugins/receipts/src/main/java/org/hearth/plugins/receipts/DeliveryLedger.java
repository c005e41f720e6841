package org.hearth.plugins.receipts;

import jakarta.json.JsonObject;
import java.util.Map;
import java.util.Optional;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.KeyValueStore;
import org.hearth.spec.json.Json;

/**
 * What the plugin keeps, in its key-value store ({@code |} separates parts: it is in no user, room or event ID):
 * <ul>
 *   <li>{@code event|<eventId>}: {@code room_id}, {@code sender}, {@code position} of each observed message event</li>
 *   <li>{@code pending|<user>|<roomId>}: the newest event of the room not yet marked delivered for the local user</li>
 *   <li>{@code delivered|<user>}: the highest room-stream position any of the user's devices acknowledged</li>
 *   <li>{@code settings|<user>}: {@code delivery_receipts} (absent: on)</li>
 * </ul>
 */
final class DeliveryLedger {
    static final String RECEIPT_TYPE = "org.hearth.delivered";

    private final KeyValueStore store;

    DeliveryLedger(Homeserver homeserver) {
        this.store = homeserver.store();
    }

    record Sent(String eventId, String roomId, String sender, long position) {}

    void recordEvent(Sent sent) {
        store.put("event|" + sent.eventId(), Json.objectBuilder().add("room_id", sent.roomId())
                .add("sender", sent.sender()).add("position", sent.position()).build());
    }

    Optional<Sent> event(String eventId) {
        return store.get("event|" + eventId).map(o -> new Sent(eventId, o.getString("room_id"), o.getString("sender"),
                o.getJsonNumber("position").longValue()));
    }

    /** Records the room's newest event the user has not acknowledged yet; returns the entry as stored. */
    JsonObject pending(String user, String roomId, String eventId, long position) {
        JsonObject entry = Json.objectBuilder().add("event_id", eventId).add("position", position).build();
        store.put(pendingKey(user, roomId), entry);
        return entry;
    }

    /** The user's rooms with an undelivered event, room ID to {@code event_id} and {@code position}. */
    Map<String, JsonObject> pendingOf(String user, int limit) {
        String prefix = "pending|" + user + "|";
        var out = new java.util.LinkedHashMap<String, JsonObject>();
        store.list(prefix, limit).forEach((key, value) -> out.put(key.substring(prefix.length()), value));
        return out;
    }

    /** Clears the room's pending entry unless a newer event replaced it meanwhile. */
    void delivered(String user, String roomId, JsonObject seen) {
        String key = pendingKey(user, roomId);
        if (store.get(key).filter(seen::equals).isPresent()) {
            store.delete(key);
        }
    }

    long deliveredPosition(String user) {
        return store.get("delivered|" + user).map(o -> o.getJsonNumber("position").longValue()).orElse(0L);
    }

    /** Raises the user's delivered position (never lowers it: acknowledgements may arrive out of order). */
    void acknowledge(String user, long position) {
        String key = "delivered|" + user;
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<JsonObject> current = store.get(key);
            JsonObject next = Json.objectBuilder().add("position", position).build();
            if (current.isEmpty()) {
                store.put(key, next);
                return;
            }
            if (current.get().getJsonNumber("position").longValue() >= position
                    || store.replace(key, current.get(), next)) {
                return;
            }
        }
    }

    boolean sendsDeliveryReceipts(String user) {
        return store.get("settings|" + user).map(o -> o.getBoolean("delivery_receipts", true)).orElse(true);
    }

    void setDeliveryReceipts(String user, boolean on) {
        store.put("settings|" + user, Json.objectBuilder().add("delivery_receipts", on).build());
    }

    private static String pendingKey(String user, String roomId) {
        return "pending|" + user + "|" + roomId;
    }
}
