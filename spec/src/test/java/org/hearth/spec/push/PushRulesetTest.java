package org.hearth.spec.push;

import static org.hearth.spec.push.PushTestEvents.ALICE;
import static org.hearth.spec.push.PushTestEvents.context;
import static org.hearth.spec.push.PushTestEvents.event;
import static org.hearth.spec.push.PushTestEvents.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class PushRulesetTest {
    private static final PushRuleset DEFAULTS = ServerDefaultRules.forUser(ALICE);

    private static PushRule request(PushRuleKind kind, String id, String bodyWithSingleQuotes) {
        return PushRule.fromRequest(kind, id, event(bodyWithSingleQuotes));
    }

    private static List<String> ids(List<PushRule> rules) {
        return rules.stream().map(PushRule::ruleId).toList();
    }

    private static String decidingRule(PushRuleset rules, JsonObject event) {
        return PushRuleEvaluator.evaluate(rules, event, context(5)).map(m -> m.rule().ruleId()).orElse(null);
    }

    private static ErrorCode error(Runnable r) {
        return assertThrows(MatrixException.class, r::run).code();
    }

    @Test
    void defaultRulesetRoundTripsThroughJson() {
        JsonObject json = DEFAULTS.toResponse();
        PushRuleset back = PushRuleset.parseResponse(json);
        assertEquals(DEFAULTS, back);
        assertEquals(CanonicalJson.encode(json), CanonicalJson.encode(back.toResponse()));
        // Also through text, as account data is stored.
        assertEquals(DEFAULTS, PushRuleset.parseResponse(Json.parseObject(CanonicalJson.encode(json))));
    }

    @Test
    void renderedDefaultsMatchTheSpecDefinitions() {
        JsonObject global = DEFAULTS.toResponse().getJsonObject("global");
        assertEquals(event("{'rule_id':'.m.rule.master','default':true,'enabled':false,'conditions':[],'actions':[]}"),
                global.getJsonArray("override").getJsonObject(0));
        assertEquals(event("{'rule_id':'.m.rule.is_user_mention','default':true,'enabled':true,"
                        + "'conditions':[{'kind':'event_property_contains','key':'content.m\\\\.mentions.user_ids',"
                        + "'value':'@alice:example.org'}],"
                        + "'actions':['notify',{'set_tweak':'sound','value':'default'},{'set_tweak':'highlight'}]}"),
                global.getJsonArray("override").getJsonObject(4));
        assertEquals(event("{'rule_id':'.m.rule.is_room_mention','default':true,'enabled':true,"
                        + "'conditions':[{'kind':'event_property_is','key':'content.m\\\\.mentions.room','value':true},"
                        + "{'kind':'sender_notification_permission','key':'room'}],"
                        + "'actions':['notify',{'set_tweak':'highlight'}]}"),
                global.getJsonArray("override").getJsonObject(5));
        assertEquals(event("{'rule_id':'.m.rule.encrypted_room_one_to_one','default':true,'enabled':true,"
                        + "'conditions':[{'kind':'room_member_count','is':'2'},"
                        + "{'kind':'event_match','key':'type','pattern':'m.room.encrypted'}],"
                        + "'actions':['notify',{'set_tweak':'sound','value':'default'}]}"),
                global.getJsonArray("underride").getJsonObject(1));
        for (String kind : List.of("content", "room", "sender")) {
            assertEquals(0, global.getJsonArray(kind).size(), kind);
        }
    }

    @Test
    void mergePutsMasterFirstThenUserRulesThenDefaults() {
        PushRuleset user = PushRuleset.empty()
                .put(request(PushRuleKind.OVERRIDE, "mine", "{'conditions':[],'actions':['notify']}"), null, null)
                .put(request(PushRuleKind.UNDERRIDE, "low", "{'actions':[]}"), null, null)
                .put(request(PushRuleKind.CONTENT, "cake", "{'pattern':'cake','actions':['notify']}"), null, null);
        PushRuleset merged = PushRuleset.merge(user, DEFAULTS);
        assertEquals(List.of(".m.rule.master", "mine", ".m.rule.suppress_notices"), ids(merged.override()).subList(0, 3));
        assertEquals(List.of("cake"), ids(merged.content()));
        assertEquals(List.of("low", ".m.rule.call"), ids(merged.underride()).subList(0, 2));
        assertEquals(DEFAULTS.inEvaluationOrder().size() + 3, merged.inEvaluationOrder().size());
    }

    @Test
    void userOverrideWinsOverDefaults() {
        PushRuleset user = PushRuleset.empty().put(request(PushRuleKind.OVERRIDE, "loud-notices",
                "{'conditions':[{'kind':'event_match','key':'content.msgtype','pattern':'m.notice'}],"
                        + "'actions':['notify',{'set_tweak':'highlight','value':true}]}"), null, null);
        PushRuleset merged = PushRuleset.merge(user, DEFAULTS);
        var match = PushRuleEvaluator.evaluate(merged, message("{'msgtype':'m.notice','body':'x'}"), context(5));
        assertEquals("loud-notices", match.orElseThrow().rule().ruleId());
        assertEquals(new PushOutcome(true, true, null), match.get().outcome());
    }

    @Test
    void disabledRulesAreSkipped() {
        PushRuleset user = PushRuleset.empty()
                .put(request(PushRuleKind.OVERRIDE, "all", "{'conditions':[],'actions':['notify']}"), null, null)
                .withEnabled(PushRuleKind.OVERRIDE, "all", false, DEFAULTS)
                .withEnabled(PushRuleKind.OVERRIDE, ".m.rule.suppress_notices", false, DEFAULTS);
        PushRuleset merged = PushRuleset.merge(user, DEFAULTS);
        assertFalse(merged.find(PushRuleKind.OVERRIDE, "all").orElseThrow().enabled());
        PushRule suppress = merged.find(PushRuleKind.OVERRIDE, ".m.rule.suppress_notices").orElseThrow();
        assertFalse(suppress.enabled());
        assertTrue(suppress.isDefault());
        assertEquals(".m.rule.message", decidingRule(merged, message("{'msgtype':'m.notice','body':'x'}")));
    }

    @Test
    void changedActionsOfADefaultRuleApplyInItsPlace() {
        PushRuleset user = PushRuleset.empty().withActions(PushRuleKind.UNDERRIDE, ".m.rule.message",
                List.of(PushAction.NOTIFY, PushAction.sound("bell")), DEFAULTS);
        PushRuleset merged = PushRuleset.merge(user, DEFAULTS);
        assertEquals(ids(DEFAULTS.underride()), ids(merged.underride()));
        assertEquals(new PushOutcome(true, false, "bell"),
                PushRuleEvaluator.outcome(merged, message("{'msgtype':'m.text','body':'x'}"), context(5)));
    }

    @Test
    void changesToRulesTheServerNoLongerHasAreDropped() {
        PushRule stale = PushRule.conditional(".m.rule.roomnotif", PushRuleKind.OVERRIDE, true, false,
                List.of(), List.of());
        PushRuleset user = new PushRuleset(List.of(stale), List.of(), List.of(), List.of(), List.of());
        assertEquals(DEFAULTS, PushRuleset.merge(user, DEFAULTS));
    }

    @Test
    void unknownRulesAreNotFound() {
        assertEquals(ErrorCode.NOT_FOUND, error(() -> PushRuleset.empty()
                .withEnabled(PushRuleKind.OVERRIDE, "nope", false, DEFAULTS)));
        assertEquals(ErrorCode.NOT_FOUND, error(() -> PushRuleset.empty()
                .withActions(PushRuleKind.OVERRIDE, ".m.rule.message", List.of(), DEFAULTS)), "wrong kind");
        assertEquals(ErrorCode.NOT_FOUND, error(() -> PushRuleset.empty().remove(PushRuleKind.ROOM, "!r:x")));
    }

    @Test
    void contentRulesMatchBodyWords() {
        PushRuleset user = PushRuleset.empty()
                .put(request(PushRuleKind.CONTENT, "nocake", "{'pattern':'cake*lie','actions':['notify',{'set_tweak':'highlight'}]}"), null, null);
        PushRuleset merged = PushRuleset.merge(user, DEFAULTS);
        assertEquals("nocake", decidingRule(merged, message("{'msgtype':'m.text','body':'The CAKE is a lie!'}")));
        assertEquals("nocake", decidingRule(merged, message("{'msgtype':'m.text','body':'cakes are a lie'}")), "* spans words");
        assertEquals(".m.rule.message", decidingRule(merged, message("{'msgtype':'m.text','body':'pancake is a lie'}")));
        assertEquals(".m.rule.message", decidingRule(merged, message("{'msgtype':'m.text','body':'the cake is a lier'}")));
        assertEquals(null, decidingRule(merged, event("{'type':'m.room.topic','sender':'@bob:example.org',"
                + "'state_key':'','room_id':'!r:example.org','content':{'topic':'cake lie'}}")));
    }

    @Test
    void roomAndSenderRulesGoByTheirIds() {
        PushRuleset user = PushRuleset.empty()
                .put(request(PushRuleKind.ROOM, "!quiet:example.org", "{'actions':[]}"), null, null)
                .put(request(PushRuleKind.SENDER, "@bob:example.org", "{'actions':['notify',{'set_tweak':'sound','value':'bob'}]}"), null, null);
        PushRuleset merged = PushRuleset.merge(user, DEFAULTS);
        JsonObject inQuietRoom = event("{'type':'m.room.message','sender':'@bob:example.org','room_id':'!quiet:example.org',"
                + "'content':{'msgtype':'m.text','body':'x'}}");
        assertEquals("!quiet:example.org", decidingRule(merged, inQuietRoom), "room rules rank above sender rules");
        assertEquals("@bob:example.org", decidingRule(merged, message("{'msgtype':'m.text','body':'x'}")));
        JsonObject fromCarol = event("{'type':'m.room.message','sender':'@carol:example.org','room_id':'!r:example.org',"
                + "'content':{'msgtype':'m.text','body':'x'}}");
        assertEquals(".m.rule.message", decidingRule(merged, fromCarol));
        // Room and sender rules render without conditions or pattern.
        assertEquals(event("{'rule_id':'!quiet:example.org','default':false,'enabled':true,'actions':[]}"),
                merged.room().get(0).toJson());
    }

    @Test
    void putPlacesNewRulesFirstOrRelativeToOthers() {
        PushRuleset rules = PushRuleset.empty()
                .put(request(PushRuleKind.OVERRIDE, "a", "{'actions':[]}"), null, null)
                .put(request(PushRuleKind.OVERRIDE, "b", "{'actions':[]}"), null, null);
        assertEquals(List.of("b", "a"), ids(rules.override()));
        rules = rules.put(request(PushRuleKind.OVERRIDE, "c", "{'actions':[]}"), null, "b");
        assertEquals(List.of("b", "c", "a"), ids(rules.override()));
        rules = rules.put(request(PushRuleKind.OVERRIDE, "d", "{'actions':[]}"), "b", "a");
        assertEquals(List.of("d", "b", "c", "a"), ids(rules.override()), "before wins over after");
        rules = rules.put(request(PushRuleKind.OVERRIDE, "d", "{'actions':[]}"), null, "a");
        assertEquals(List.of("b", "c", "a", "d"), ids(rules.override()), "an existing rule moves");
    }

    @Test
    void putReplacesInPlaceAndKeepsEnabled() {
        PushRuleset rules = PushRuleset.empty()
                .put(request(PushRuleKind.OVERRIDE, "a", "{'actions':[]}"), null, null)
                .put(request(PushRuleKind.OVERRIDE, "b", "{'actions':[]}"), null, null)
                .withEnabled(PushRuleKind.OVERRIDE, "a", false, DEFAULTS)
                .put(request(PushRuleKind.OVERRIDE, "a", "{'actions':['notify']}"), null, null);
        assertEquals(List.of("b", "a"), ids(rules.override()));
        assertFalse(rules.override().get(1).enabled());
        assertEquals(List.of(PushAction.NOTIFY), rules.override().get(1).actions());
    }

    @Test
    void putRefusesToPlaceNextToDefaultsOrMissingRules() {
        PushRuleset rules = PushRuleset.empty().put(request(PushRuleKind.OVERRIDE, "a", "{'actions':[]}"), null, null);
        PushRule b = request(PushRuleKind.OVERRIDE, "b", "{'actions':[]}");
        assertEquals(ErrorCode.UNKNOWN, error(() -> rules.put(b, ".m.rule.master", null)));
        assertEquals(ErrorCode.UNKNOWN, error(() -> rules.put(b, null, "zzz")));
        assertEquals(ErrorCode.UNKNOWN, error(() -> rules.put(request(PushRuleKind.OVERRIDE, "a", "{'actions':[]}"), "a", null)));
    }

    @Test
    void requestsAreValidated() {
        assertEquals(ErrorCode.INVALID_PARAM, error(() -> request(PushRuleKind.OVERRIDE, ".mine", "{'actions':[]}")));
        assertEquals(ErrorCode.INVALID_PARAM, error(() -> request(PushRuleKind.OVERRIDE, "a/b", "{'actions':[]}")));
        assertEquals(ErrorCode.INVALID_PARAM, error(() -> request(PushRuleKind.OVERRIDE, "a\\b", "{'actions':[]}")));
        assertEquals(ErrorCode.INVALID_PARAM, error(() -> request(PushRuleKind.OVERRIDE, "", "{'actions':[]}")));
        assertEquals(ErrorCode.MISSING_PARAM, error(() -> request(PushRuleKind.OVERRIDE, "a", "{}")));
        assertEquals(ErrorCode.BAD_JSON, error(() -> request(PushRuleKind.OVERRIDE, "a", "{'actions':'notify'}")));
        assertEquals(ErrorCode.MISSING_PARAM, error(() -> request(PushRuleKind.CONTENT, "a", "{'actions':[]}")));
        assertEquals(ErrorCode.BAD_JSON, error(() -> request(PushRuleKind.CONTENT, "a", "{'actions':[],'pattern':1}")));
        assertEquals(ErrorCode.BAD_JSON, error(() -> request(PushRuleKind.OVERRIDE, "a", "{'actions':[],'conditions':{}}")));
        assertEquals(ErrorCode.BAD_JSON, error(() -> request(PushRuleKind.OVERRIDE, "a", "{'actions':[1]}")));
        assertEquals(ErrorCode.INVALID_PARAM, error(() -> PushRuleKind.parse("global")));
        PushRule created = request(PushRuleKind.UNDERRIDE, "a", "{'actions':['notify']}");
        assertTrue(created.enabled(), "new rules MUST be enabled");
        assertFalse(created.isDefault());
    }

    @Test
    void malformedRulesetsAreRejected() {
        assertEquals(ErrorCode.BAD_JSON, error(() -> PushRuleset.parse(event("{'override':{}}"))));
        assertEquals(ErrorCode.MISSING_PARAM, error(() -> PushRuleset.parse(event("{'override':[{'rule_id':'a','enabled':true,'actions':[]}]}"))));
        assertEquals(ErrorCode.BAD_JSON, error(() -> PushRuleset.parse(event("{'override':[{'rule_id':'a','default':'no','enabled':true,'actions':[]}]}"))));
        assertEquals(ErrorCode.BAD_JSON, error(() -> PushRuleset.parse(event("{'room':[1]}"))));
        assertEquals(ErrorCode.MISSING_PARAM, error(() -> PushRuleset.parseResponse(event("{}"))));
        assertEquals(PushRuleset.empty(), PushRuleset.parse(event("{}")));
    }

    @Test
    void conditionsAndPatternsOnlyWhereTheKindHasThem() {
        PushRuleset parsed = PushRuleset.parse(event("{'room':[{'rule_id':'!r:x','default':false,'enabled':true,"
                + "'actions':[],'conditions':[{'kind':'event_match','key':'room_id','pattern':'!r:x'}],'pattern':'p'}]}"));
        assertTrue(parsed.room().get(0).conditions().isEmpty());
        assertEquals(null, parsed.room().get(0).pattern());
    }

    @Test
    void unknownConditionDisablesItsRuleInEffect() {
        PushRuleset user = PushRuleset.empty().put(request(PushRuleKind.OVERRIDE, "future",
                "{'conditions':[{'kind':'org.example.new'}],'actions':['notify',{'set_tweak':'highlight'}]}"), null, null);
        PushRuleset merged = PushRuleset.merge(user, DEFAULTS);
        assertEquals(".m.rule.message", decidingRule(merged, message("{'msgtype':'m.text','body':'x'}")));
        assertEquals(event("{'kind':'org.example.new'}"),
                merged.find(PushRuleKind.OVERRIDE, "future").orElseThrow().toJson().getJsonArray("conditions").get(0));
    }
}
