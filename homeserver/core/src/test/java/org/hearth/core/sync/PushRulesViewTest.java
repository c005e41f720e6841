package org.hearth.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.push.PushRuleKind;
import org.hearth.spec.push.PushRuleset;
import org.hearth.spec.push.ServerDefaultRules;
import org.junit.jupiter.api.Test;

class PushRulesViewTest {
    private static final UserId ALICE = UserId.parse("@alice:example.org");

    @Test
    void unsetOrUnreadableStoredRulesShowTheDefaults() {
        JsonObject defaults = ServerDefaultRules.forUser(ALICE).toResponse();
        assertEquals(defaults, PushRulesView.effective(ALICE, Optional.empty()));
        assertEquals(defaults, PushRulesView.effective(ALICE, Optional.of(Json.parseObject("{}"))));
        assertEquals(defaults, PushRulesView.effective(ALICE, Optional.of(Json.parseObject("{\"global\": {\"content\": 3}}"))));
    }

    @Test
    void storedUserRulesAndDefaultChangesAreMerged() {
        JsonObject stored = Json.parseObject("""
                {"global": {"content": [{"rule_id": "cake", "default": false, "enabled": true, "pattern": "cake",
                 "actions": ["notify"]}],
                 "override": [{"rule_id": ".m.rule.suppress_notices", "default": true, "enabled": false,
                 "conditions": [], "actions": []}]}}""");
        PushRuleset effective = PushRulesView.effectiveRuleset(ALICE, Optional.of(stored));
        assertEquals("cake", effective.rules(PushRuleKind.CONTENT).get(0).ruleId());
        assertFalse(effective.find(PushRuleKind.OVERRIDE, ".m.rule.suppress_notices").orElseThrow().enabled());
        assertEquals(".m.rule.master", effective.rules(PushRuleKind.OVERRIDE).get(0).ruleId());
        assertEquals(List.of("cake"), PushRulesView.stored(ALICE, Optional.of(stored)).rules(PushRuleKind.CONTENT)
                .stream().map(r -> r.ruleId()).toList());
    }
}
