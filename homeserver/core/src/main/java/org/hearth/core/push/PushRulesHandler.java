package org.hearth.core.push;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.hearth.core.sync.AccountDataStream;
import org.hearth.core.sync.PushRulesView;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.push.PushAction;
import org.hearth.spec.push.PushRule;
import org.hearth.spec.push.PushRuleKind;
import org.hearth.spec.push.PushRuleset;
import org.hearth.spec.push.ServerDefaultRules;

/**
 * The push rules endpoints (spec: Client-Server API, "Push Rules: API"). The user's own rules, and their
 * changes to server-default rules, are kept as global account data {@code m.push_rules} through
 * {@link AccountDataStream}, so a change reaches the user's /sync (shown merged with the defaults, see
 * {@link PushRulesView}) and wakes it. Reads return the effective ruleset.
 */
public final class PushRulesHandler {
    private final AccountDataStream accountData;
    private final PushRulesets rulesets;

    public PushRulesHandler(AccountDataStream accountData) {
        this(accountData, new PushRulesets());
    }

    /** {@code rulesets}, the evaluation's cache, forgets the user's rules after each change. */
    public PushRulesHandler(AccountDataStream accountData, PushRulesets rulesets) {
        this.accountData = accountData;
        this.rulesets = rulesets;
    }

    /** The effective ruleset: the user's rules placed among the server defaults. */
    public PushRuleset rules(UserId user) {
        return PushRuleset.parseResponse(accountData.find(user, Optional.empty(), AccountDataStream.PUSH_RULES)
                .orElseGet(() -> PushRulesView.effective(user, Optional.empty())));
    }

    /** One rule of the effective ruleset; {@code M_NOT_FOUND} when there is none. */
    public PushRule rule(UserId user, PushRuleKind kind, String ruleId) {
        return rules(user).find(kind, ruleId).orElseThrow(PushRulesHandler::notFound);
    }

    /** PUT {@code /pushrules/global/{kind}/{ruleId}}: creates or updates a user rule, placed by before/after. */
    public void put(UserId user, PushRuleKind kind, String ruleId, JsonObject body, String before, String after) {
        PushRule rule = PushRule.fromRequest(kind, ruleId, body);
        edit(user, own -> own.put(rule, blankToNull(before), blankToNull(after)));
    }

    /** DELETE: only user rules can go; a server-default rule is {@code M_NOT_FOUND} among the user's rules. */
    public void delete(UserId user, PushRuleKind kind, String ruleId) {
        if (PushRule.isServerDefaultId(ruleId)) {
            // Server-default rules cannot be deleted; the user's changes to them stay (Synapse: 404 too).
            throw notFound();
        }
        edit(user, own -> own.remove(kind, ruleId));
    }

    public void setEnabled(UserId user, PushRuleKind kind, String ruleId, JsonObject body) {
        JsonValue v = body.get("enabled");
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "'enabled' is required");
        }
        boolean enabled = switch (v.getValueType()) {
            case TRUE -> true;
            case FALSE -> false;
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "'enabled' must be a boolean");
        };
        PushRuleset defaults = ServerDefaultRules.forUser(user);
        edit(user, own -> own.withEnabled(kind, ruleId, enabled, defaults));
    }

    public void setActions(UserId user, PushRuleKind kind, String ruleId, JsonObject body) {
        JsonValue v = body.get("actions");
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "'actions' is required");
        }
        if (!(v instanceof JsonArray array)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'actions' must be an array");
        }
        List<PushAction> actions = PushAction.parseAll(array);
        PushRuleset defaults = ServerDefaultRules.forUser(user);
        edit(user, own -> own.withActions(kind, ruleId, actions, defaults));
    }

    private void edit(UserId user, UnaryOperator<PushRuleset> change) {
        accountData.editGlobal(user, AccountDataStream.PUSH_RULES,
                stored -> change.apply(PushRulesView.stored(user, Optional.of(stored))).toResponse());
        rulesets.invalidate(user);
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static MatrixException notFound() {
        return new MatrixException(ErrorCode.NOT_FOUND, "The push rule was not found.");
    }
}
