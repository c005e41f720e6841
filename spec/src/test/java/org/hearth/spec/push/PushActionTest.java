package org.hearth.spec.push;

import static org.hearth.spec.push.PushTestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonValue;
import java.util.List;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class PushActionTest {

    private static List<PushAction> actions(String jsonWithSingleQuotes) {
        return PushAction.parseAll((JsonArray) Json.parse(jsonWithSingleQuotes.replace('\'', '"')));
    }

    @Test
    void historicalActionsAreStripped() {
        assertEquals(List.of(), actions("['dont_notify']"));
        assertEquals(List.of(PushAction.NOTIFY), actions("['coalesce','notify','dont_notify']"));
        PushRule rule = PushRule.parse(PushRuleKind.OVERRIDE,
                event("{'rule_id':'old','default':false,'enabled':true,'conditions':[],'actions':['dont_notify']}"));
        assertEquals(List.of(), rule.actions());
        assertEquals(PushOutcome.NONE, PushOutcome.of(rule.actions()));
    }

    @Test
    void highlightWithoutValueIsTrue() {
        assertTrue(PushOutcome.of(actions("['notify',{'set_tweak':'highlight'}]")).highlight());
        assertTrue(PushOutcome.of(actions("['notify',{'set_tweak':'highlight','value':true}]")).highlight());
        assertFalse(PushOutcome.of(actions("['notify',{'set_tweak':'highlight','value':false}]")).highlight());
        assertFalse(PushOutcome.of(actions("['notify']")).highlight(), "no highlight tweak means false");
        assertFalse(PushOutcome.of(actions("['notify',{'set_tweak':'highlight','value':'yes'}]")).highlight());
    }

    @Test
    void highlightCountsOnlyWithNotify() {
        PushOutcome silentHighlight = PushOutcome.of(actions("[{'set_tweak':'highlight'}]"));
        assertTrue(silentHighlight.highlight());
        assertFalse(silentHighlight.countsAsHighlight());
    }

    @Test
    void soundIsAString() {
        assertEquals("ring", PushOutcome.of(actions("['notify',{'set_tweak':'sound','value':'ring'}]")).sound());
        assertEquals(null, PushOutcome.of(actions("['notify',{'set_tweak':'sound','value':1}]")).sound());
        assertEquals("b", PushOutcome.of(actions("[{'set_tweak':'sound','value':'a'},{'set_tweak':'sound','value':'b'}]")).sound());
    }

    @Test
    void customTweaksAndUnknownActionsRenderBack() {
        String json = "['notify',{'set_tweak':'org.example.led','value':{'colour':'red'}},"
                + "{'set_tweak':'highlight','value':null},'org.example.action',{'org.example':1}]";
        List<PushAction> parsed = actions(json);
        assertEquals(5, parsed.size());
        assertEquals(JsonValue.NULL, ((PushAction.SetTweak) parsed.get(2)).value());
        assertEquals(Json.parse(json.replace('\'', '"')), PushAction.toJson(parsed));
        assertEquals(new PushOutcome(true, false, null), PushOutcome.of(parsed));
    }
}
