package org.hearth.spec.push;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * One push rule (spec: "Push Rules"; JSON shape: {@code definitions/push_rule.yaml}).
 *
 * @param ruleId     unique within its kind; a room ID for room rules, a user ID for sender rules, and starting
 *                   with a dot exactly for server-default rules
 * @param isDefault  the JSON {@code default}: whether this is a server-default rule
 * @param conditions all must hold; empty for content, room and sender rules, whose conditions are implied
 * @param pattern    the glob matched against {@code content.body}, for content rules only; null otherwise
 */
public record PushRule(String ruleId, PushRuleKind kind, boolean isDefault, boolean enabled,
                       List<PushCondition> conditions, List<PushAction> actions, Glob pattern) {

    public PushRule {
        conditions = List.copyOf(conditions);
        actions = List.copyOf(actions);
        if (kind == PushRuleKind.CONTENT && pattern == null) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "content rule '" + ruleId + "' needs a pattern");
        }
        if (kind != PushRuleKind.CONTENT) {
            pattern = null;
        }
        if (!kind.hasConditions()) {
            conditions = List.of();
        }
    }

    /** An override or underride rule. */
    public static PushRule conditional(String ruleId, PushRuleKind kind, boolean isDefault, boolean enabled,
                                       List<PushCondition> conditions, List<PushAction> actions) {
        return new PushRule(ruleId, kind, isDefault, enabled, conditions, actions, null);
    }

    /** Whether {@code ruleId} names a server-default rule: those, and only those, start with a dot. */
    public static boolean isServerDefaultId(String ruleId) {
        return ruleId.startsWith(".");
    }

    /** This rule with {@code enabled} changed (PUT {@code .../enabled}). */
    public PushRule withEnabled(boolean enabled) {
        return new PushRule(ruleId, kind, isDefault, enabled, conditions, actions, pattern);
    }

    /** This rule with its actions replaced (PUT {@code .../actions}). */
    public PushRule withActions(List<PushAction> actions) {
        return new PushRule(ruleId, kind, isDefault, enabled, conditions, actions, pattern);
    }

    /**
     * Reads a rule as GET returns it and as {@code m.push_rules} account data stores it. The kind comes from
     * the list the rule sits in. {@code M_BAD_JSON} on wrong types; {@code M_INVALID_PARAM}/
     * {@code M_MISSING_PARAM} on missing or disallowed values.
     */
    public static PushRule parse(PushRuleKind kind, JsonValue json) {
        if (!(json instanceof JsonObject o)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "a push rule must be an object");
        }
        String ruleId = Json.requiredString(o, "rule_id");
        return new PushRule(ruleId, kind, requiredBoolean(o, "default"), requiredBoolean(o, "enabled"),
                conditions(kind, o), PushAction.parseAll(Json.requiredArray(o, "actions")), pattern(kind, o));
    }

    /**
     * Reads the body of PUT {@code /pushrules/global/{kind}/{ruleId}} into a new, enabled user rule (spec:
     * "When creating push rules, they MUST be enabled by default"). Rule IDs starting with a dot, or holding
     * {@code /} or {@code \}, are {@code M_INVALID_PARAM} as the endpoint requires.
     */
    public static PushRule fromRequest(PushRuleKind kind, String ruleId, JsonObject body) {
        if (ruleId.isEmpty() || isServerDefaultId(ruleId) || ruleId.contains("/") || ruleId.contains("\\")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "invalid rule_id: " + ruleId);
        }
        return new PushRule(ruleId, kind, false, true, conditions(kind, body),
                PushAction.parseAll(Json.requiredArray(body, "actions")), pattern(kind, body));
    }

    /** This rule in the {@code push_rule.yaml} shape: conditions only for override/underride, pattern only for content. */
    public JsonObject toJson() {
        JsonObjectBuilder b = Json.objectBuilder()
                .add("rule_id", ruleId)
                .add("default", isDefault)
                .add("enabled", enabled)
                .add("actions", PushAction.toJson(actions));
        if (kind.hasConditions()) {
            JsonArrayBuilder array = Json.arrayBuilder();
            conditions.forEach(c -> array.add(c.toJson()));
            b.add("conditions", array);
        }
        if (pattern != null) {
            b.add("pattern", pattern.text());
        }
        return b.build();
    }

    private static List<PushCondition> conditions(PushRuleKind kind, JsonObject o) {
        JsonValue v = o.get("conditions");
        if (!kind.hasConditions() || v == null) {
            // push_rule.yaml: conditions are "only applicable to underride and override rules"; absent means none.
            return List.of();
        }
        if (!(v instanceof JsonArray array)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'conditions' must be an array");
        }
        List<PushCondition> out = new ArrayList<>();
        array.forEach(c -> out.add(PushCondition.parse(c)));
        return out;
    }

    private static Glob pattern(PushRuleKind kind, JsonObject o) {
        if (kind != PushRuleKind.CONTENT) {
            return null;
        }
        return Glob.of(Json.requiredString(o, "pattern"));
    }

    private static boolean requiredBoolean(JsonObject o, String key) {
        JsonValue v = o.get(key);
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "push rule lacks '" + key + "'");
        }
        return switch (v.getValueType()) {
            case TRUE -> true;
            case FALSE -> false;
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be a boolean");
        };
    }
}
