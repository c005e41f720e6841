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
