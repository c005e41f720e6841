package org.hearth.spec.push;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Finds the rule that decides how an event notifies a user (spec: "Push Rules", "Conditions"). Reads the
 * event in client format; patterns were compiled when the rules were read, so evaluation only matches.
 */
public final class PushRuleEvaluator {
    private PushRuleEvaluator() {}

    private static final PropertyPath BODY = PropertyPath.parse("content.body");
    private static final PropertyPath ROOM_ID = PropertyPath.parse("room_id");

    /**
     * The first enabled rule of {@code rules} (in {@link PushRuleset#inEvaluationOrder()}) that matches
     * {@code event}, with its actions; empty when none matches, or when the user sent the event (spec:
     * "Homeservers MUST NOT notify the Push Gateway for events that the user has sent themselves").
     */
    public static Optional<PushMatch> evaluate(PushRuleset rules, JsonObject event, EvaluationContext ctx) {
        return evaluate(rules, new PushEvent(event), ctx);
    }

    /** {@link #evaluate(PushRuleset, JsonObject, EvaluationContext)} for one of many users: {@code event} is shared. */
    public static Optional<PushMatch> evaluate(PushRuleset rules, PushEvent event, EvaluationContext ctx) {
        if (ctx.userId().value().equals(event.sender())) {
            return Optional.empty();
        }
        for (PushRuleKind kind : PushRuleKind.values()) {
            for (PushRule rule : rules.rules(kind)) {
                if (rule.enabled() && matches(rule, event, ctx)) {
                    return Optional.of(new PushMatch(rule, rule.actions()));
                }
            }
        }
        return Optional.empty();
    }

    /** The outcome for {@code event}: {@link PushOutcome#NONE} when no rule matches. */
    public static PushOutcome outcome(PushRuleset rules, JsonObject event, EvaluationContext ctx) {
        return evaluate(rules, event, ctx).map(PushMatch::outcome).orElse(PushOutcome.NONE);
    }

    /** Whether {@code rule} matches {@code event}, ignoring whether it is enabled. */
    public static boolean matches(PushRule rule, JsonObject event, EvaluationContext ctx) {
        return matches(rule, new PushEvent(event), ctx);
    }

    private static boolean matches(PushRule rule, PushEvent event, EvaluationContext ctx) {
        return switch (rule.kind()) {
            case OVERRIDE, UNDERRIDE -> allHold(rule.conditions(), event, ctx);
            case CONTENT -> {
                String body = event.string(BODY);
                yield body != null && rule.pattern().matchesWords(body);
            }
            // The rule ID is the room or user the rule is about (spec: "Push Rules"): an exact comparison.
            case ROOM -> rule.ruleId().equals(event.string(ROOM_ID));
            case SENDER -> rule.ruleId().equals(event.sender());
        };
    }

    private static boolean allHold(List<PushCondition> conditions, PushEvent event, EvaluationContext ctx) {
        for (PushCondition c : conditions) {
            if (!holds(c, event, ctx)) {
                return false;
            }
        }
        return true;
    }

    /** Whether one condition holds for {@code event}. */
    public static boolean holds(PushCondition condition, JsonObject event, EvaluationContext ctx) {
        return holds(condition, new PushEvent(event), ctx);
    }

    private static boolean holds(PushCondition condition, PushEvent event, EvaluationContext ctx) {
        return switch (condition) {
            case PushCondition.EventMatch m -> eventOnly(m, event);
            case PushCondition.EventPropertyIs is -> eventOnly(is, event);
            // Not remembered: its value is mostly the user's own ID (.m.rule.is_user_mention), one entry per member.
            case PushCondition.EventPropertyContains(PropertyPath key, JsonValue value) ->
                    event.property(key) instanceof JsonArray array
                            && array.stream().anyMatch(item -> Scalars.sameScalar(item, value));
            case PushCondition.ContainsDisplayName() -> {
                String body = event.string(BODY);
                String name = ctx.displayName();
                // The display name is matched as text, not as a glob, with content.body's word boundaries.
                yield body != null && name != null && !name.isEmpty() && Glob.literal(name).matchesWords(body);
            }
            case PushCondition.RoomMemberCount c -> c.matches(ctx.memberCount());
            case PushCondition.SenderNotificationPermission(String key) -> {
                // A key the power levels give no level to cannot be shown to be reached.
                OptionalLong required = ctx.notificationLevels().apply(key);
                yield required.isPresent() && ctx.senderPowerLevel() >= required.getAsLong();
            }
            case PushCondition.Unknown u -> false; // spec: "Unrecognised conditions MUST NOT match any events"
        };
    }

    /** A condition on the event alone: the same for every member, so worked out once per event. */
    private static boolean eventOnly(PushCondition condition, PushEvent event) {
        Boolean known = event.knownOutcome(condition);
        if (known != null) {
            return known;
        }
        boolean holds = switch (condition) {
            case PushCondition.EventMatch(PropertyPath key, Glob pattern) -> {
                // Spec: absent or non-string properties never match, even for the pattern "*".
                String value = event.string(key);
                yield value != null && (key.equals(BODY) ? pattern.matchesWords(value) : pattern.matchesWhole(value));
            }
            case PushCondition.EventPropertyIs(PropertyPath key, JsonValue value) -> {
                JsonValue found = event.property(key);
                yield found != null && Scalars.sameScalar(found, value);
            }
            default -> throw new IllegalArgumentException("not a condition on the event alone: " + condition);
        };
        event.remember(condition, holds);
        return holds;
    }
}
