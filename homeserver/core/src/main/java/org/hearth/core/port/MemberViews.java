package org.hearth.core.port;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Whose membership and receipts a viewer may see in a room (plugins' member visibility, e.g. stories rooms whose
 * viewers never see each other). The read paths that show members ask it once per room and request and drop what
 * it hides; {@link #EVERYONE} (no such plugin) answers without any work.
 */
@FunctionalInterface
public interface MemberViews {
    MemberViews EVERYONE = (room, viewer) -> Optional.empty();

    /**
     * Empty when the viewer sees every member; else the user IDs whose membership events, receipts and typing the
     * viewer may see (the viewer's own always included).
     */
    Optional<Set<String>> visibleMembers(RoomId room, UserId viewer);

    /** Whether an event in the client format survives: a membership event of a hidden user does not. */
    static boolean shows(Set<String> visible, JsonObject event) {
        return !"m.room.member".equals(event.getString("type", ""))
                || !(event.get("state_key") instanceof JsonString key) || visible.contains(key.getString());
    }

    static List<JsonObject> filterEvents(Set<String> visible, List<JsonObject> events) {
        return events.stream().filter(e -> shows(visible, e)).toList();
    }

    /**
     * An ephemeral event with hidden users taken out: {@code m.receipt} content's users, {@code m.typing}'s
     * {@code user_ids}; null when nothing is left.
     */
    static JsonObject filterEphemeral(Set<String> visible, JsonObject event) {
        String type = event.getString("type", "");
        JsonObject content = event.getJsonObject("content");
        if (content == null) {
            return event;
        }
        if (type.equals("m.typing") && content.get("user_ids") instanceof JsonArray ids) {
            var kept = Json.arrayBuilder();
            ids.stream().filter(v -> v instanceof JsonString s && visible.contains(s.getString())).forEach(kept::add);
            return Json.objectBuilder(event).add("content", Json.objectBuilder(content).add("user_ids", kept)).build();
        }
        if (!type.equals("m.receipt")) {
            return event;
        }
        JsonObjectBuilder out = Json.objectBuilder();
        boolean any = false;
        for (var byEvent : content.entrySet()) {
            if (!(byEvent.getValue() instanceof JsonObject types)) {
                continue;
            }
            JsonObjectBuilder keptTypes = Json.objectBuilder();
            boolean anyType = false;
            for (var byType : types.entrySet()) {
                if (!(byType.getValue() instanceof JsonObject users)) {
                    continue;
                }
                JsonObjectBuilder keptUsers = Json.objectBuilder();
                boolean anyUser = false;
                for (var user : users.entrySet()) {
                    if (visible.contains(user.getKey())) {
                        keptUsers.add(user.getKey(), user.getValue());
                        anyUser = true;
                    }
                }
                if (anyUser) {
                    keptTypes.add(byType.getKey(), keptUsers);
                    anyType = true;
                }
            }
            if (anyType) {
                out.add(byEvent.getKey(), keptTypes);
                any = true;
            }
        }
        return any ? Json.objectBuilder(event).add("content", out).build() : null;
    }

    /**
     * A sync summary without hidden heroes, and without member counts (they would tell how many hidden members
     * there are; clients then count the members they know).
     */
    static JsonObject filterSummary(Set<String> visible, JsonObject summary) {
        if (summary == null || summary.isEmpty()) {
            return summary;
        }
        JsonObjectBuilder out = Json.objectBuilder();
        for (var e : summary.entrySet()) {
            if (e.getKey().equals("m.heroes") && e.getValue() instanceof JsonArray heroes) {
                var kept = Json.arrayBuilder();
                heroes.stream().filter(v -> v instanceof JsonString s && visible.contains(s.getString())).forEach(kept::add);
                out.add("m.heroes", kept);
            } else if (!e.getKey().equals("m.joined_member_count") && !e.getKey().equals("m.invited_member_count")) {
                out.add(e.getKey(), e.getValue());
            }
        }
        return out.build();
    }

}
