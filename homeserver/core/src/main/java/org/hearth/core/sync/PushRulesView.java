package org.hearth.core.sync;

import jakarta.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.push.PushRuleset;
import org.hearth.spec.push.ServerDefaultRules;

/**
 * How stored {@code m.push_rules} is shown: the server keeps only the user's own rules and their changes to
 * server-default rules ({@code {"global": ruleset}}); clients read the effective ruleset, user rules merged
 * with {@link ServerDefaultRules#forUser}, both from GET {@code /pushrules/} and from /sync's account data.
 */
public final class PushRulesView {
    private static final Logger LOG = System.getLogger(PushRulesView.class.getName());

    private PushRulesView() {}

    /** The user's own rules as stored; empty when unset. An unreadable stored value counts as empty. */
    public static PushRuleset stored(UserId user, Optional<JsonObject> content) {
        if (content.isEmpty() || !content.get().containsKey("global")) {
            return PushRuleset.empty();
        }
        try {
            return PushRuleset.parseResponse(content.get());
        } catch (MatrixException | ClassCastException e) {
            LOG.log(Level.WARNING, "ignoring unreadable m.push_rules of " + user.value() + ": " + e.getMessage());
            return PushRuleset.empty();
        }
    }

    /** The effective ruleset of {@code user}: their stored rules placed among the server defaults. */
    public static PushRuleset effectiveRuleset(UserId user, Optional<JsonObject> content) {
        return PushRuleset.merge(stored(user, content), ServerDefaultRules.forUser(user));
    }

    /** {@link #effectiveRuleset} in the {@code m.push_rules} content shape, {@code {"global": ruleset}}. */
    public static JsonObject effective(UserId user, Optional<JsonObject> content) {
        return effectiveRuleset(user, content).toResponse();
    }
}
