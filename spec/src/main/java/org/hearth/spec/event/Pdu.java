package org.hearth.spec.event;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A persistent data unit (room event) with its event ID: the JSON as received or built, plus typed
 * reads of the fields every room version has. The event ID is passed in because only v1/v2 carry it in
 * the JSON; for v3+ it is computed (see {@code EventIds}).
 */
public record Pdu(String eventId, JsonObject json) {

    public String type() {
        return json.getString("type", null);
    }

    /** The state key, or empty for a message event. */
    public Optional<String> stateKey() {
        JsonValue v = json.get("state_key");
        return v instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }

    public boolean isState() {
        return json.get("state_key") instanceof JsonString;
    }

    public String sender() {
        return json.getString("sender", null);
    }

    /** The room ID; absent in room version 12's create event, whose room ID is derived from its hash. */
    public Optional<String> roomId() {
        JsonValue v = json.get("room_id");
        return v instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }

    public JsonObject content() {
        JsonValue v = json.get("content");
        return v instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
    }

    public long originServerTs() {
        return json.containsKey("origin_server_ts") ? json.getJsonNumber("origin_server_ts").longValue() : 0L;
    }

    public long depth() {
        return json.containsKey("depth") ? json.getJsonNumber("depth").longValue() : 0L;
    }

    /** Event IDs in {@code auth_events}: strings from v3 on, {@code [id, hashes]} pairs in v1/v2. */
    public List<String> authEvents() {
        return eventRefs("auth_events");
    }

    /** Event IDs in {@code prev_events}: strings from v3 on, {@code [id, hashes]} pairs in v1/v2. */
    public List<String> prevEvents() {
        return eventRefs("prev_events");
    }

    private List<String> eventRefs(String key) {
        JsonValue v = json.get(key);
        if (!(v instanceof JsonArray array)) {
            return List.of();
        }
        List<String> ids = new ArrayList<>(array.size());
        for (JsonValue item : array) {
            if (item instanceof JsonString s) {
                ids.add(s.getString());
            } else if (item instanceof JsonArray pair && !pair.isEmpty() && pair.get(0) instanceof JsonString s) {
                ids.add(s.getString());
            }
        }
        return ids;
    }

    /** The (type, state_key) pair of a state event. */
    public Optional<StateKey> stateTuple() {
        return stateKey().map(k -> new StateKey(type(), k));
    }
}
