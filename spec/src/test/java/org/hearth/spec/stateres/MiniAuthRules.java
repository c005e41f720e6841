package org.hearth.spec.stateres;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.hearth.spec.auth.AuthResult;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/**
 * A test double holding only the authorization rules the state resolution tests rely on (spec v11/v12
 * "Authorisation rules": membership 5.x, sender joined 6, state level 9, power levels 10). Lets the
 * resolution be tested before, and independently of, the real {@code AuthRules}; the same scenarios also
 * run against the real rules (see {@link AuthCheckers}).
 */
final class MiniAuthRules implements AuthCheck {
    @Override
    public AuthResult check(RoomVersion version, Pdu event, Map<StateKey, Pdu> authState) {
        if ("m.room.create".equals(event.type())) {
            return AuthResult.ALLOWED;
        }
        Pdu create = authState.get(AuthStateSelection.CREATE);
        if (create == null) {
            return AuthResult.rejected("no create event");
        }
        Pdu pl = authState.get(AuthStateSelection.POWER_LEVELS);
        PowerLevels levels = PowerLevels.fromState(version, authState);
        long senderLevel = levels.userLevel(event.sender());
        String senderMembership = membership(authState, event.sender());
        if ("m.room.member".equals(event.type())) {
            return member(event, authState, create, pl, levels, senderMembership);
        }
        if (!"join".equals(senderMembership)) {
            return AuthResult.rejected("6: sender not joined");
        }
        long required = level(pl, "state_default", 50);
        if (pl != null && pl.content().get("events") instanceof JsonObject ev && ev.containsKey(event.type())) {
            required = ((JsonNumber) ev.get(event.type())).longValue();
        }
        if (senderLevel < required) {
            return AuthResult.rejected("9: sender level too low");
        }
        if ("m.room.power_levels".equals(event.type()) && pl != null) {
            JsonObject oldUsers = users(pl);
            JsonObject newUsers = users(event);
            Set<String> all = new HashSet<>(oldUsers.keySet());
            all.addAll(newUsers.keySet());
            for (String u : all) {
                JsonValue o = oldUsers.get(u);
                JsonValue n = newUsers.get(u);
                if (o != null && o.equals(n)) {
                    continue;
                }
                if (o != null && !u.equals(event.sender()) && ((JsonNumber) o).longValue() >= senderLevel) {
                    return AuthResult.rejected("10.9: changing a user at or above the sender's level");
                }
                if (n != null && ((JsonNumber) n).longValue() > senderLevel) {
                    return AuthResult.rejected("10.10: new level above the sender's");
                }
            }
        }
        return AuthResult.ALLOWED;
    }

    private static AuthResult member(Pdu event, Map<StateKey, Pdu> authState, Pdu create, Pdu pl,
                                     PowerLevels levels, String senderMembership) {
        long senderLevel = levels.userLevel(event.sender());
        String target = event.stateKey().orElseThrow();
        String targetMembership = membership(authState, target);
        long targetLevel = levels.userLevel(target);
        switch (event.content().getString("membership", "")) {
            case "join" -> {
                boolean onlyCreate = authState.keySet().stream().allMatch(k -> k.equals(AuthStateSelection.CREATE));
                if (onlyCreate && target.equals(create.sender())) {
                    return AuthResult.ALLOWED; // 5.3.1: the creator's first join
                }
                if (!target.equals(event.sender())) {
                    return AuthResult.rejected("5.3.2");
                }
                if ("ban".equals(senderMembership)) {
                    return AuthResult.rejected("5.3.3: banned");
                }
                Pdu jr = authState.get(AuthStateSelection.JOIN_RULES);
                String rule = jr == null ? "" : jr.content().getString("join_rule", "");
                if (rule.equals("invite")) {
                    return "invite".equals(senderMembership) || "join".equals(senderMembership)
                            ? AuthResult.ALLOWED : AuthResult.rejected("5.3.4: not invited");
                }
                return rule.equals("public") ? AuthResult.ALLOWED : AuthResult.rejected("5.3.7");
            }
            case "invite" -> {
                if (!"join".equals(senderMembership)) {
                    return AuthResult.rejected("5.4.2");
                }
                if ("ban".equals(targetMembership) || "join".equals(targetMembership)) {
                    return AuthResult.rejected("5.4.3");
                }
                return senderLevel >= level(pl, "invite", 0) ? AuthResult.ALLOWED : AuthResult.rejected("5.4.5");
            }
            case "leave" -> {
                if (target.equals(event.sender())) {
                    return Set.of("invite", "join", "knock").contains(senderMembership)
                            ? AuthResult.ALLOWED : AuthResult.rejected("5.5.1");
                }
                if (!"join".equals(senderMembership)) {
                    return AuthResult.rejected("5.5.2");
                }
                if ("ban".equals(targetMembership) && senderLevel < level(pl, "ban", 50)) {
                    return AuthResult.rejected("5.5.3");
                }
                return senderLevel >= level(pl, "kick", 50) && targetLevel < senderLevel
                        ? AuthResult.ALLOWED : AuthResult.rejected("5.5.5");
            }
            case "ban" -> {
                if (!"join".equals(senderMembership)) {
                    return AuthResult.rejected("5.6.1");
                }
                return senderLevel >= level(pl, "ban", 50) && targetLevel < senderLevel
                        ? AuthResult.ALLOWED : AuthResult.rejected("5.6.3");
            }
            default -> {
                return AuthResult.rejected("unknown membership");
            }
        }
    }

    private static String membership(Map<StateKey, Pdu> authState, String user) {
        Pdu m = authState.get(StateKey.of("m.room.member", user));
        return m == null ? "leave" : m.content().getString("membership", "leave");
    }

    private static long level(Pdu pl, String name, long fallback) {
        return pl != null && pl.content().get(name) instanceof JsonNumber n ? n.longValue() : fallback;
    }

    private static JsonObject users(Pdu pl) {
        return pl.content().get("users") instanceof JsonObject u ? u : JsonValue.EMPTY_JSON_OBJECT;
    }
}
