package org.hearth.spec.push;

import static org.hearth.spec.push.PushTestEvents.context;
import static org.hearth.spec.push.PushTestEvents.event;
import static org.hearth.spec.push.PushTestEvents.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.OptionalLong;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class PushConditionTest {

    private static PushCondition condition(String jsonWithSingleQuotes) {
        return PushCondition.parse(event(jsonWithSingleQuotes));
    }

    private static boolean holds(String conditionJson, JsonObject event) {
        return PushRuleEvaluator.holds(condition(conditionJson), event, context(5));
    }

    private static ErrorCode parseError(String conditionJson) {
        return assertThrows(MatrixException.class, () -> condition(conditionJson)).code();
    }

    private static final JsonObject TOPIC = event("{'type':'m.room.topic','sender':'@bob:example.org','state_key':'',"
            + "'room_id':'!r:example.org','content':{'topic':'Lunch plans','n':1,'f':1.0,'b':true,'z':null,"
            + "'s':'1','big':9007199254740992,'max':9007199254740991,'neg':-9007199254740991,"
            + "'m.federate':true,'alt_aliases':['#somewhere:example.org','#myroom:example.com',7,true,null,{'a':1},[1]]}}");

    @Test
    void eventMatchIsWholeValueCaseInsensitive() {
        assertTrue(holds("{'kind':'event_match','key':'content.topic','pattern':'lunc?*'}", TOPIC));
        assertFalse(holds("{'kind':'event_match','key':'content.topic','pattern':'lunch'}", TOPIC));
        assertTrue(holds("{'kind':'event_match','key':'content.topic','pattern':'LUNCH PLANS'}", TOPIC));
    }

    @Test
    void eventMatchNeedsAStringEvenForStar() {
        assertFalse(holds("{'kind':'event_match','key':'content.missing','pattern':'*'}", TOPIC));
        assertFalse(holds("{'kind':'event_match','key':'content.z','pattern':'*'}", TOPIC));
        assertFalse(holds("{'kind':'event_match','key':'content.n','pattern':'1'}", TOPIC));
        assertFalse(holds("{'kind':'event_match','key':'content.b','pattern':'true'}", TOPIC));
        assertFalse(holds("{'kind':'event_match','key':'content','pattern':'*'}", TOPIC));
        assertTrue(holds("{'kind':'event_match','key':'content.s','pattern':'*'}", TOPIC));
    }

    @Test
    void eventMatchOnContentBodyMatchesWords() {
        JsonObject msg = message("{'msgtype':'m.text','body':'An exciting triple-whammy'}");
        assertTrue(holds("{'kind':'event_match','key':'content.body','pattern':'ex*ple'}", msg));
        assertTrue(holds("{'kind':'event_match','key':'content.body','pattern':'whammy'}", msg));
        assertFalse(holds("{'kind':'event_match','key':'content.body','pattern':'whamm'}", msg));
        // Other keys keep whole-value matching, even other body-like ones.
        JsonObject formatted = message("{'msgtype':'m.text','body':'x','formatted_body':'An example'}");
        assertFalse(holds("{'kind':'event_match','key':'content.formatted_body','pattern':'example'}", formatted));
    }

    @Test
    void eventPropertyIsMatchesExactTypes() {
        assertTrue(holds("{'kind':'event_property_is','key':'content.m\\\\.federate','value':true}", TOPIC));
        assertFalse(holds("{'kind':'event_property_is','key':'content.m\\\\.federate','value':'true'}", TOPIC));
        assertFalse(holds("{'kind':'event_property_is','key':'content.m\\\\.federate','value':1}", TOPIC));
        assertTrue(holds("{'kind':'event_property_is','key':'content.n','value':1}", TOPIC));
        assertFalse(holds("{'kind':'event_property_is','key':'content.n','value':'1'}", TOPIC));
        assertFalse(holds("{'kind':'event_property_is','key':'content.s','value':1}", TOPIC));
        assertTrue(holds("{'kind':'event_property_is','key':'content.s','value':'1'}", TOPIC));
        assertTrue(holds("{'kind':'event_property_is','key':'content.z','value':null}", TOPIC));
        assertFalse(holds("{'kind':'event_property_is','key':'content.missing','value':null}", TOPIC),
                "absent is not null");
        assertFalse(holds("{'kind':'event_property_is','key':'content.b','value':null}", TOPIC));
    }

    @Test
    void eventPropertyIsIgnoresFloatsAndOutOfRangeIntegers() {
        assertFalse(holds("{'kind':'event_property_is','key':'content.f','value':1}", TOPIC), "1.0 in the event is a float");
        assertFalse(holds("{'kind':'event_property_is','key':'content.big','value':9007199254740991}", TOPIC));
        assertTrue(holds("{'kind':'event_property_is','key':'content.max','value':9007199254740991}", TOPIC));
        assertTrue(holds("{'kind':'event_property_is','key':'content.neg','value':-9007199254740991}", TOPIC));
        assertFalse(holds("{'kind':'event_property_is','key':'content.alt_aliases','value':null}", TOPIC));
    }

    @Test
    void eventPropertyIsValuesMustBeNonCompoundCanonicalJson() {
        assertEquals(ErrorCode.INVALID_PARAM, parseError("{'kind':'event_property_is','key':'a','value':1.5}"));
        assertEquals(ErrorCode.INVALID_PARAM, parseError("{'kind':'event_property_is','key':'a','value':1.0}"));
        assertEquals(ErrorCode.INVALID_PARAM, parseError("{'kind':'event_property_is','key':'a','value':9007199254740992}"));
        assertEquals(ErrorCode.INVALID_PARAM, parseError("{'kind':'event_property_is','key':'a','value':[1]}"));
        assertEquals(ErrorCode.INVALID_PARAM, parseError("{'kind':'event_property_contains','key':'a','value':{}}"));
        assertEquals(ErrorCode.MISSING_PARAM, parseError("{'kind':'event_property_is','key':'a'}"));
    }

    @Test
    void eventPropertyContainsLooksInArraysOnly() {
        assertTrue(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':'#myroom:example.com'}", TOPIC));
        assertFalse(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':':example.com'}", TOPIC),
                "partial values do not match");
        assertFalse(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':'#MYROOM:example.com'}", TOPIC),
                "exact, so case matters");
        assertTrue(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':7}", TOPIC));
        assertFalse(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':'7'}", TOPIC));
        assertTrue(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':true}", TOPIC));
        assertTrue(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':null}", TOPIC));
        assertFalse(holds("{'kind':'event_property_contains','key':'content.alt_aliases','value':1}", TOPIC),
                "compound items ([1]) are ignored, not searched");
        assertFalse(holds("{'kind':'event_property_contains','key':'content.topic','value':'Lunch plans'}", TOPIC),
                "not an array");
        assertFalse(holds("{'kind':'event_property_contains','key':'content.missing','value':'x'}", TOPIC));
    }

    @Test
    void containsDisplayNameMatchesTheNameAsWords() {
        String c = "{'kind':'contains_display_name'}";
        assertTrue(holds(c, message("{'msgtype':'m.text','body':'hi alice smith!'}")));
        assertTrue(holds(c, message("{'msgtype':'m.text','body':'Alice Smith'}")));
        assertFalse(holds(c, message("{'msgtype':'m.text','body':'hi Alice Smithers'}")));
        assertFalse(holds(c, message("{'msgtype':'m.text','body':'hi Alice'}")));
        assertFalse(holds(c, message("{'msgtype':'m.text','formatted_body':'Alice Smith'}")));
        EvaluationContext noName = new EvaluationContext(PushTestEvents.ALICE, null, 5, 0, k -> OptionalLong.empty());
        assertFalse(PushRuleEvaluator.holds(condition(c), message("{'body':'hi'}"), noName));
        EvaluationContext emptyName = new EvaluationContext(PushTestEvents.ALICE, "", 5, 0, k -> OptionalLong.empty());
        assertFalse(PushRuleEvaluator.holds(condition(c), message("{'body':'hi'}"), emptyName));
        EvaluationContext starName = new EvaluationContext(PushTestEvents.ALICE, "a*", 5, 0, k -> OptionalLong.empty());
        assertFalse(PushRuleEvaluator.holds(condition(c), message("{'body':'abc'}"), starName), "names are not globs");
        assertTrue(PushRuleEvaluator.holds(condition(c), message("{'body':'hey a*'}"), starName));
    }

    @Test
    void roomMemberCountComparesWithEachPrefix() {
        JsonObject msg = message("{'body':'x'}");
        record Case(String is, long members, boolean holds) {}
        for (Case k : new Case[] {
                new Case("2", 2, true), new Case("2", 3, false), new Case("==2", 2, true), new Case("==2", 1, false),
                new Case("<3", 2, true), new Case("<3", 3, false), new Case(">3", 4, true), new Case(">3", 3, false),
                new Case("<=3", 3, true), new Case("<=3", 4, false), new Case(">=3", 3, true), new Case(">=3", 2, false)}) {
            PushCondition c = condition("{'kind':'room_member_count','is':'" + k.is() + "'}");
            assertEquals(k.holds(), PushRuleEvaluator.holds(c, msg, context(k.members())), k.toString());
        }
    }

    @Test
    void roomMemberCountRejectsMalformedIs() {
        for (String bad : new String[] {"", "=2", "!=2", "2.0", " 2", "two", "<", "=>2"}) {
            assertEquals(ErrorCode.INVALID_PARAM, parseError("{'kind':'room_member_count','is':'" + bad + "'}"), bad);
        }
        assertEquals(ErrorCode.BAD_JSON, parseError("{'kind':'room_member_count','is':2}"));
    }

    @Test
    void senderNotificationPermissionComparesLevels() {
        PushCondition room = condition("{'kind':'sender_notification_permission','key':'room'}");
        JsonObject msg = message("{'body':'x'}");
        assertTrue(PushRuleEvaluator.holds(room, msg, context(5, 50)));
        assertTrue(PushRuleEvaluator.holds(room, msg, context(5, 100)));
        assertFalse(PushRuleEvaluator.holds(room, msg, context(5, 49)));
        PushCondition other = condition("{'kind':'sender_notification_permission','key':'other'}");
        assertFalse(PushRuleEvaluator.holds(other, msg, context(5, 1000)), "a key with no level never holds");
    }

    @Test
    void senderNotificationPermissionReadsPowerLevels() {
        var levels = org.hearth.spec.auth.PowerLevels.parse(org.hearth.spec.room.RoomVersion.V10,
                event("{'users':{'@bob:example.org':20},'notifications':{'room':10}}"));
        PushCondition room = condition("{'kind':'sender_notification_permission','key':'room'}");
        JsonObject msg = message("{'body':'x'}");
        assertTrue(PushRuleEvaluator.holds(room, msg,
                EvaluationContext.of(PushTestEvents.ALICE, null, 3, levels, "@bob:example.org")));
        assertFalse(PushRuleEvaluator.holds(room, msg,
                EvaluationContext.of(PushTestEvents.ALICE, null, 3, levels, "@carol:example.org")));
    }

    @Test
    void unknownConditionsNeverMatchAndRenderBack() {
        PushCondition c = condition("{'kind':'org.example.always','x':1}");
        assertInstanceOf(PushCondition.Unknown.class, c);
        assertFalse(holds("{'kind':'org.example.always','x':1}", TOPIC));
        assertEquals(event("{'kind':'org.example.always','x':1}"), c.toJson());
    }

    @Test
    void malformedConditionsAreRejected() {
        assertEquals(ErrorCode.MISSING_PARAM, parseError("{'key':'type','pattern':'x'}"));
        assertEquals(ErrorCode.BAD_JSON, parseError("{'kind':1}"));
        assertEquals(ErrorCode.MISSING_PARAM, parseError("{'kind':'event_match','key':'type'}"));
        assertEquals(ErrorCode.MISSING_PARAM, parseError("{'kind':'event_match','pattern':'x'}"));
        assertEquals(ErrorCode.BAD_JSON, parseError("{'kind':'event_match','key':'type','pattern':null}"));
        assertEquals(ErrorCode.MISSING_PARAM, parseError("{'kind':'sender_notification_permission'}"));
        assertEquals(ErrorCode.BAD_JSON,
                assertThrows(MatrixException.class, () -> PushCondition.parse(Json.string("x"))).code());
    }

    @Test
    void knownConditionsRenderAsTheyWereWritten() {
        for (String json : new String[] {
                "{'kind':'event_match','key':'content.m\\\\.x','pattern':'a*'}",
                "{'kind':'event_property_is','key':'content.\\\\x','value':null}",
                "{'kind':'event_property_contains','key':'a','value':-5}",
                "{'kind':'contains_display_name'}",
                "{'kind':'room_member_count','is':'>=10'}",
                "{'kind':'sender_notification_permission','key':'room'}"}) {
            assertEquals(event(json), condition(json).toJson(), json);
        }
    }
}
