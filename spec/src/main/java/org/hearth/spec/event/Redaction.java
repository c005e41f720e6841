package org.hearth.spec.event;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.Set;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RedactionRules;
import org.hearth.spec.room.RoomVersion;

/**
 * The redaction algorithm of each room version (spec: "Redactions" in rooms/v1, v6, v9 and v11): keeps the
 * listed top-level keys and, per event type, the listed content keys. {@code unsigned} is always removed.
 */
public final class Redaction {
    private Redaction() {}

    // rooms/fragments/v1-redactions.md (same list in v6 and v9).
    private static final Set<String> TOP_LEVEL_V1 = Set.of("event_id", "type", "room_id", "sender", "state_key",
            "content", "hashes", "signatures", "depth", "prev_events", "prev_state", "auth_events", "origin",
            "origin_server_ts", "membership");
    // rooms/fragments/v11-redactions.md: origin, membership and prev_state are no longer kept.
    private static final Set<String> TOP_LEVEL_V11 = Set.of("event_id", "type", "room_id", "sender", "state_key",
            "content", "hashes", "signatures", "depth", "prev_events", "auth_events", "origin_server_ts");

    private static final Set<String> POWER_LEVELS_V1 = Set.of("ban", "events", "events_default", "kick", "redact",
            "state_default", "users", "users_default");
    // v11 adds "invite".
    private static final Set<String> POWER_LEVELS_V11 = Set.of("ban", "events", "events_default", "invite", "kick",
            "redact", "state_default", "users", "users_default");

    /** {@code event} redacted under {@code version}'s rules. */
    public static JsonObject redact(RoomVersion version, JsonObject event) {
        return redact(version.redaction(), event);
    }

    /** {@code event} redacted under {@code rules}. */
    public static JsonObject redact(RedactionRules rules, JsonObject event) {
        Set<String> topLevel = rules == RedactionRules.V11 ? TOP_LEVEL_V11 : TOP_LEVEL_V1;
        JsonObjectBuilder out = Json.objectBuilder();
        for (var entry : event.entrySet()) {
            String key = entry.getKey();
            if (topLevel.contains(key) && !key.equals("content")) {
                out.add(key, entry.getValue());
            }
        }
        JsonValue type = event.get("type");
        JsonObject content = event.get("content") instanceof JsonObject c ? c : JsonValue.EMPTY_JSON_OBJECT;
        String eventType = type != null && type.getValueType() == JsonValue.ValueType.STRING
                ? event.getString("type") : "";
        out.add("content", redactContent(rules, eventType, content));
        return out.build();
    }

    private static JsonObject redactContent(RedactionRules rules, String type, JsonObject content) {
        return switch (type) {
            case "m.room.member" -> member(rules, content);
            case "m.room.create" -> rules == RedactionRules.V11 ? content : keep(content, Set.of("creator"));
            case "m.room.join_rules" -> keep(content, rules == RedactionRules.V1 || rules == RedactionRules.V6
                    ? Set.of("join_rule") : Set.of("join_rule", "allow"));
            case "m.room.power_levels" -> keep(content, rules == RedactionRules.V11 ? POWER_LEVELS_V11 : POWER_LEVELS_V1);
            case "m.room.history_visibility" -> keep(content, Set.of("history_visibility"));
            // The m.room.aliases special case was removed in v6 (rooms/fragments/v6-redactions.md).
            case "m.room.aliases" -> rules == RedactionRules.V1 ? keep(content, Set.of("aliases")) : JsonValue.EMPTY_JSON_OBJECT;
            // v11: "m.room.redaction allows key redacts" (it moved from the top level into content).
            case "m.room.redaction" -> rules == RedactionRules.V11 ? keep(content, Set.of("redacts")) : JsonValue.EMPTY_JSON_OBJECT;
            default -> JsonValue.EMPTY_JSON_OBJECT;
        };
    }

    private static JsonObject member(RedactionRules rules, JsonObject content) {
        JsonObject kept = keep(content, switch (rules) {
            case V1, V6 -> Set.of("membership");
            case V9, V11 -> Set.of("membership", "join_authorised_via_users_server");
        });
        if (rules == RedactionRules.V11 && content.get("third_party_invite") instanceof JsonObject invite) {
            // v11 keeps "the signed key of the third_party_invite key". Like Synapse (and the vectors' edge
            // case), an invite without `signed` leaves an empty object: events hashed by Synapse depend on it.
            JsonObject signedOnly = keep(invite, Set.of("signed"));
            return Json.objectBuilder(kept).add("third_party_invite", signedOnly).build();
        }
        return kept;
    }

    private static JsonObject keep(JsonObject content, Set<String> keys) {
        JsonObjectBuilder out = Json.objectBuilder();
        for (var entry : content.entrySet()) {
            if (keys.contains(entry.getKey())) {
                out.add(entry.getKey(), entry.getValue());
            }
        }
        return out.build();
    }
}
