package org.hearth.spec.auth;

import static org.hearth.spec.auth.PowerLevels.readLevel;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/** Rule 9 of the authorization rules: {@code m.room.power_levels} events (rule 10 in v1-v5 and v12). */
final class PowerLevelRules {
    private PowerLevelRules() {}

    static AuthResult check(RoomVersion version, Pdu event, Map<StateKey, Pdu> state, Pdu create,
                            long senderLevel) {
        JsonObject content = event.content();
        if (version.integerPowerLevels()) {
            // 9.1 from v10
            for (String key : PowerLevels.TOP_LEVEL_KEYS) {
                if (content.containsKey(key) && readLevel(version, content.get(key)) == null) {
                    return AuthResult.rejected(key + " is not an integer");
                }
            }
            // 9.2 from v10
            for (String key : new String[] {"events", "notifications"}) {
                if (content.containsKey(key) && !isLevelMap(version, content.get(key))) {
                    return AuthResult.rejected(key + " is not an object of integers");
                }
            }
        }
        // Before v6, floats beyond binary64 reject the event (fragment v1-floaty-power-levels).
        if (!version.strictCanonicalJson() && hasOutOfRangeFloat(content)) {
            return AuthResult.rejected("a power level is outside the binary64 range");
        }
        // 9.3; before v10 "integers (or a string that is an integer)", as readLevel accepts. An absent
        // users is read as empty: 9.1 and 9.2 reject only present values, and levels default when absent.
        JsonValue users = content.get("users");
        if (users != null) {
            if (!(users instanceof JsonObject userLevels)) {
                return AuthResult.rejected("users is not an object");
            }
            for (Map.Entry<String, JsonValue> entry : userLevels.entrySet()) {
                if (!AuthRules.isUserId(entry.getKey())) {
                    return AuthResult.rejected("users has a key that is not a user ID: " + entry.getKey());
                }
                if (readLevel(version, entry.getValue()) == null) {
                    return AuthResult.rejected("users has a level that is not an integer: " + entry.getKey());
                }
            }
            // v12 rule 10.4: creators' power is infinite and cannot be set.
            if (version.privilegedCreators()) {
                for (String creator : PowerLevels.creators(version, create)) {
                    if (userLevels.containsKey(creator)) {
                        return AuthResult.rejected("users lists the room creator " + creator);
                    }
                }
            }
        }
        // 9.4
        Pdu previous = state.get(AuthRules.POWER_LEVELS_KEY);
        if (previous == null) {
            return AuthResult.ALLOWED;
        }
        JsonObject before = previous.content();
        // 9.5: an added property has no current value, a removed one no new value.
        for (String key : PowerLevels.TOP_LEVEL_KEYS) {
            Long current = readLevel(version, before.get(key));
            Long next = readLevel(version, content.get(key));
            if (!Objects.equals(current, next)) {
                if (current != null && current > senderLevel) {
                    return AuthResult.rejected(key + " is above the sender's level");
                }
                if (next != null && next > senderLevel) {
                    return AuthResult.rejected("new " + key + " is above the sender's level");
                }
            }
        }
        // 9.6, 9.7; notifications from v6
        AuthResult events = checkLevelMap(version, "events", before, content, senderLevel);
        if (!events.allowed()) {
            return events;
        }
        if (version.limitNotificationsPowerLevels()) {
            AuthResult notifications = checkLevelMap(version, "notifications", before, content, senderLevel);
            if (!notifications.allowed()) {
                return notifications;
            }
        }
        // 9.8, 9.9
        Map<String, Long> currentUsers = PowerLevels.parse(version, before).users();
        Map<String, Long> nextUsers = PowerLevels.parse(version, content).users();
        for (String user : union(currentUsers.keySet(), nextUsers.keySet())) {
            Long current = currentUsers.get(user);
            Long next = nextUsers.get(user);
            if (Objects.equals(current, next)) {
                continue;
            }
            // 9.8
            if (current != null && !user.equals(event.sender()) && current >= senderLevel) {
                return AuthResult.rejected("changing the level of " + user + ", who has no less power than the sender");
            }
            // 9.9
            if (next != null && next > senderLevel) {
                return AuthResult.rejected("giving " + user + " a level above the sender's");
            }
        }
        // 9.10
        return AuthResult.ALLOWED;
    }

    // 9.6: changed or removed entries, by their current value; 9.7: added or changed, by their new value.
    private static AuthResult checkLevelMap(RoomVersion version, String property, JsonObject before,
                                            JsonObject after, long senderLevel) {
        Map<String, Long> current = levels(version, before, property);
        Map<String, Long> next = levels(version, after, property);
        for (String key : union(current.keySet(), next.keySet())) {
            Long was = current.get(key);
            Long is = next.get(key);
            if (Objects.equals(was, is)) {
                continue;
            }
            if (was != null && was > senderLevel) {
                return AuthResult.rejected(property + "." + key + " is above the sender's level");
            }
            if (is != null && is > senderLevel) {
                return AuthResult.rejected("new " + property + "." + key + " is above the sender's level");
            }
        }
        return AuthResult.ALLOWED;
    }

    private static Map<String, Long> levels(RoomVersion version, JsonObject content, String property) {
        PowerLevels parsed = PowerLevels.parse(version, content);
        return "events".equals(property) ? parsed.events() : parsed.notifications();
    }

    private static boolean isLevelMap(RoomVersion version, JsonValue value) {
        return value instanceof JsonObject map
                && map.values().stream().allMatch(v -> readLevel(version, v) != null);
    }

    private static boolean hasOutOfRangeFloat(JsonObject content) {
        for (String key : PowerLevels.TOP_LEVEL_KEYS) {
            if (PowerLevels.outOfDoubleRange(content.get(key))) {
                return true;
            }
        }
        for (String key : new String[] {"users", "events", "notifications"}) {
            if (content.get(key) instanceof JsonObject levels
                    && levels.values().stream().anyMatch(PowerLevels::outOfDoubleRange)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new TreeSet<>(a);
        all.addAll(b);
        return all;
    }
}
