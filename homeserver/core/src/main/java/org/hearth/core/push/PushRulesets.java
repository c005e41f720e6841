package org.hearth.core.push;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbExecute;
import java.util.Optional;
import org.hearth.core.sync.PushRulesView;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.push.PushCondition;
import org.hearth.spec.push.PushRuleset;

/**
 * Each user's effective push rules, parsed once and cached for evaluation on every event; {@link PushRulesHandler}
 * invalidates a user's entry after changing their rules.
 */
public final class PushRulesets {
    /** A ruleset and whether any of its rules needs the user's display name (most never do). */
    record Rules(PushRuleset ruleset, boolean needsDisplayName) {}

    private final Cache<UserId, Rules> cache = Caffeine.newBuilder().maximumSize(200_000).build();

    /** Loads through {@code tx}: evaluation runs inside the room's commit and must not wait for another connection. */
    Rules get(DbExecute tx, UserId user) {
        return cache.get(user, u -> {
            Optional<jakarta.json.JsonObject> stored = tx.createNamedGet("notifications-push-rules")
                    .addParam("user_id", u.value()).execute()
                    .map(row -> Json.parseObject(row.column("content").get(String.class)));
            PushRuleset rules = PushRulesView.effectiveRuleset(u, stored);
            boolean needsName = rules.inEvaluationOrder().stream().anyMatch(r -> r.enabled()
                    && r.conditions().stream().anyMatch(c -> c instanceof PushCondition.ContainsDisplayName));
            return new Rules(rules, needsName);
        });
    }

    /** Caffeine waits for a load in flight before removing, so a load that read the old rules is not kept. */
    public void invalidate(UserId user) {
        cache.invalidate(user);
    }
}
