package org.hearth.spec.push;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * A user's push rules per kind, each list in priority order (spec: "Push Rules"; JSON shape:
 * {@code definitions/push_ruleset.yaml}, the {@code global} of GET {@code /pushrules/} and the content of
 * {@code m.push_rules}).
 *
 * <p>The same record holds either the user's own rules (what the server stores) or the effective ruleset
 * after {@link #merge}, which is what clients see and what {@link PushRuleEvaluator} reads.
 */
public record PushRuleset(List<PushRule> override, List<PushRule> content, List<PushRule> room,
                          List<PushRule> sender, List<PushRule> underride) {

    static final String MASTER = ".m.rule.master";

    public PushRuleset {
        override = checked(PushRuleKind.OVERRIDE, override);
        content = checked(PushRuleKind.CONTENT, content);
        room = checked(PushRuleKind.ROOM, room);
        sender = checked(PushRuleKind.SENDER, sender);
        underride = checked(PushRuleKind.UNDERRIDE, underride);
    }

    /** A ruleset with no rules. */
    public static PushRuleset empty() {
        return new PushRuleset(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** The rules of {@code kind}, most important first. */
    public List<PushRule> rules(PushRuleKind kind) {
        return switch (kind) {
            case OVERRIDE -> override;
            case CONTENT -> content;
            case ROOM -> room;
            case SENDER -> sender;
            case UNDERRIDE -> underride;
        };
    }

    /** Every rule in the order the spec checks them: override, content, room, sender, underride. */
    public List<PushRule> inEvaluationOrder() {
        List<PushRule> all = new ArrayList<>();
        for (PushRuleKind kind : PushRuleKind.values()) {
            all.addAll(rules(kind));
        }
        return all;
    }

    /** The rule of {@code kind} with {@code ruleId}, if any. */
    public Optional<PushRule> find(PushRuleKind kind, String ruleId) {
        return rules(kind).stream().filter(r -> r.ruleId().equals(ruleId)).findFirst();
    }

    /**
     * The effective ruleset: {@code user}'s rules placed among {@code serverDefaults} as the spec orders them
     * ("Predefined Rules": server-default rules rank below user rules, except {@code .m.rule.master}, which
     * ranks above everything). Per kind: override is master, then the user's overrides, then the other
     * default overrides; every other kind is the user's rules, then the defaults.
     *
     * <p>An entry in {@code user} whose ID is a server-default rule's records the user's change to that rule
     * (its {@code enabled} and {@code actions}; conditions stay the server's) and is applied in the default's
     * place. Such entries naming no current default are dropped, so a rule the spec removed disappears.
     */
    public static PushRuleset merge(PushRuleset user, PushRuleset serverDefaults) {
        List<List<PushRule>> merged = new ArrayList<>();
        for (PushRuleKind kind : PushRuleKind.values()) {
            Map<String, PushRule> changes = new HashMap<>();
            List<PushRule> own = new ArrayList<>();
            for (PushRule r : user.rules(kind)) {
                if (PushRule.isServerDefaultId(r.ruleId())) {
                    changes.put(r.ruleId(), r);
                } else {
                    own.add(r);
                }
            }
            List<PushRule> before = new ArrayList<>();
            List<PushRule> after = new ArrayList<>();
            for (PushRule d : serverDefaults.rules(kind)) {
                PushRule change = changes.get(d.ruleId());
                PushRule effective = change == null ? d : d.withEnabled(change.enabled()).withActions(change.actions());
                (kind == PushRuleKind.OVERRIDE && d.ruleId().equals(MASTER) ? before : after).add(effective);
            }
            List<PushRule> rules = new ArrayList<>(before);
            rules.addAll(own);
            rules.addAll(after);
            merged.add(rules);
        }
        return new PushRuleset(merged.get(0), merged.get(1), merged.get(2), merged.get(3), merged.get(4));
    }

    /**
     * The user's ruleset after PUT {@code /pushrules/global/{kind}/{ruleId}} (spec: {@code pushrules.yaml}):
     * a rule with the same ID and kind is replaced, in place unless {@code before} or {@code after} is given;
     * a new rule goes first among the user's rules of its kind unless placed. {@code before} wins when both are
     * given. Replacing keeps the rule's {@code enabled}. Placing next to a server-default rule, or next to a rule that does not exist, is
     * {@code M_UNKNOWN} as in the spec's example response.
     *
     * @param before a user rule ID the new rule must come just before (more important), or null
     * @param after  a user rule ID the new rule must come just after (less important), or null
     */
    public PushRuleset put(PushRule rule, String before, String after) {
        String anchor = before != null ? before : after;
        List<PushRule> rules = new ArrayList<>(rules(rule.kind()));
        int existing = indexOf(rules, rule.ruleId());
        if (existing >= 0) {
            // The body's "new parameters" are actions, conditions and pattern; enabled has its own endpoint.
            rule = rule.withEnabled(rules.get(existing).enabled());
        }
        if (anchor == null) {
            if (existing >= 0) {
                rules.set(existing, rule);
            } else {
                rules.add(0, rule);
            }
            return with(rule.kind(), rules);
        }
        if (PushRule.isServerDefaultId(anchor)) {
            throw new MatrixException(ErrorCode.UNKNOWN, "cannot place a rule relative to a server-default rule: " + anchor);
        }
        if (existing >= 0) {
            rules.remove(existing);
        }
        int at = indexOf(rules, anchor);
        if (at < 0 || anchor.equals(rule.ruleId())) {
            throw new MatrixException(ErrorCode.UNKNOWN, "before/after rule not found: " + anchor);
        }
        rules.add(before != null ? at : at + 1, rule);
        return with(rule.kind(), rules);
    }

    /** The user's ruleset without the rule of {@code kind} with {@code ruleId}; {@code M_NOT_FOUND} when it has none. */
    public PushRuleset remove(PushRuleKind kind, String ruleId) {
        List<PushRule> rules = new ArrayList<>(rules(kind));
        if (!rules.removeIf(r -> r.ruleId().equals(ruleId))) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "The push rule was not found.");
        }
        return with(kind, rules);
    }

    /**
     * The user's ruleset after PUT {@code .../enabled}. For a server-default rule (found in {@code serverDefaults})
     * this records the user's change to it, which {@link #merge} applies; {@code M_NOT_FOUND} when neither has it.
     */
    public PushRuleset withEnabled(PushRuleKind kind, String ruleId, boolean enabled, PushRuleset serverDefaults) {
        return change(kind, ruleId, serverDefaults, r -> r.withEnabled(enabled));
    }

    /** The user's ruleset after PUT {@code .../actions}, which the spec allows on server-default rules too. */
    public PushRuleset withActions(PushRuleKind kind, String ruleId, List<PushAction> actions,
                                   PushRuleset serverDefaults) {
        return change(kind, ruleId, serverDefaults, r -> r.withActions(actions));
    }

    private PushRuleset change(PushRuleKind kind, String ruleId, PushRuleset serverDefaults,
                               UnaryOperator<PushRule> edit) {
        List<PushRule> rules = new ArrayList<>(rules(kind));
        int i = indexOf(rules, ruleId);
        if (i >= 0) {
            rules.set(i, edit.apply(rules.get(i)));
            return with(kind, rules);
        }
        PushRule base = serverDefaults.find(kind, ruleId)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "The push rule was not found."));
        rules.add(edit.apply(base));
        return with(kind, rules);
    }

    private static int indexOf(List<PushRule> rules, String ruleId) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).ruleId().equals(ruleId)) {
                return i;
            }
        }
        return -1;
    }

    private PushRuleset with(PushRuleKind kind, List<PushRule> rules) {
        return new PushRuleset(
                kind == PushRuleKind.OVERRIDE ? rules : override,
                kind == PushRuleKind.CONTENT ? rules : content,
                kind == PushRuleKind.ROOM ? rules : room,
                kind == PushRuleKind.SENDER ? rules : sender,
                kind == PushRuleKind.UNDERRIDE ? rules : underride);
    }

    /**
     * Reads the {@code push_ruleset.yaml} shape; a missing kind is an empty list. {@code M_BAD_JSON} on wrong
     * types, {@code M_INVALID_PARAM} on a malformed rule.
     */
    public static PushRuleset parse(JsonObject json) {
        List<List<PushRule>> lists = new ArrayList<>();
        for (PushRuleKind kind : PushRuleKind.values()) {
            JsonValue v = json.get(kind.wireName());
            List<PushRule> rules = new ArrayList<>();
            if (v != null) {
                if (!(v instanceof JsonArray array)) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "'" + kind.wireName() + "' must be an array");
                }
                array.forEach(r -> rules.add(PushRule.parse(kind, r)));
            }
            lists.add(rules);
        }
        return new PushRuleset(lists.get(0), lists.get(1), lists.get(2), lists.get(3), lists.get(4));
    }

    /** Reads a GET {@code /pushrules/} response: {@code {"global": ruleset}}. */
    public static PushRuleset parseResponse(JsonObject json) {
        return parse(Json.requiredObject(json, "global"));
    }

    /** This ruleset in the {@code push_ruleset.yaml} shape, every kind present. */
    public JsonObject toJson() {
        JsonObjectBuilder b = Json.objectBuilder();
        for (PushRuleKind kind : PushRuleKind.values()) {
            JsonArrayBuilder array = Json.arrayBuilder();
            rules(kind).forEach(r -> array.add(r.toJson()));
            b.add(kind.wireName(), array);
        }
        return b.build();
    }

    /** The GET {@code /pushrules/} response body: {@code {"global": ruleset}}. */
    public JsonObject toResponse() {
        return Json.objectBuilder().add("global", toJson()).build();
    }

    private static List<PushRule> checked(PushRuleKind kind, List<PushRule> rules) {
        for (PushRule r : rules) {
            if (r.kind() != kind) {
                throw new IllegalArgumentException(r.ruleId() + " is a " + r.kind() + " rule, not " + kind);
            }
        }
        return List.copyOf(rules);
    }
}
