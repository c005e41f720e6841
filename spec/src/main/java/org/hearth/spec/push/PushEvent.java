package org.hearth.spec.push;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * An event evaluated against many users' rules (every member of a room): the properties the rules read, and the
 * outcome of each condition that depends on the event alone ({@code event_match}, {@code event_property_is}), are
 * worked out once per event instead of once per member. Members' rulesets mostly hold the same default rules, so
 * after the first member most conditions are one identity look-up. One thread at a time.
 */
public final class PushEvent {
    // Stands for "absent or not reachable" in properties (a map of nulls could not tell it from "not read yet");
    // compared by identity, so no event's value can be taken for it.
    private static final JsonValue MISSING = new JsonValue() {
        @Override
        public ValueType getValueType() {
            return ValueType.NULL;
        }
    };

    private final JsonObject json;
    private final String sender;
    private final Map<PropertyPath, JsonValue> properties = new HashMap<>();
    // By identity: hashing a condition record costs more than the look-up saves, and members' default rules share
    // their condition instances (ServerDefaultRules).
    private final Map<PushCondition, Boolean> eventOnly = new IdentityHashMap<>();

    public PushEvent(JsonObject json) {
        this.json = json;
        this.sender = json.get("sender") instanceof JsonString s ? s.getString() : null;
    }

    public JsonObject json() {
        return json;
    }

    /** The sender's user ID as written; null when not a string. */
    String sender() {
        return sender;
    }

    /** The value at {@code path}; null when a step is missing or not an object. */
    JsonValue property(PropertyPath path) {
        JsonValue v = properties.get(path);
        if (v == null) {
            v = path.find(json).orElse(MISSING);
            properties.put(path, v);
        }
        return v == MISSING ? null : v;
    }

    /** The string at {@code path}; null when absent or not a string. */
    String string(PropertyPath path) {
        return property(path) instanceof JsonString s ? s.getString() : null;
    }

    /** What {@code condition} gave for this event before; null when not asked yet. */
    Boolean knownOutcome(PushCondition condition) {
        return eventOnly.get(condition);
    }

    void remember(PushCondition condition, boolean holds) {
        eventOnly.put(condition, holds);
    }
}
