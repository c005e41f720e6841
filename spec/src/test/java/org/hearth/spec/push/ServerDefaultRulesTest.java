package org.hearth.spec.push;

import static org.hearth.spec.push.PushTestEvents.ALICE;
import static org.hearth.spec.push.PushTestEvents.BOB;
import static org.hearth.spec.push.PushTestEvents.context;
import static org.hearth.spec.push.PushTestEvents.event;
import static org.hearth.spec.push.PushTestEvents.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServerDefaultRulesTest {
    private static final PushRuleset DEFAULTS = ServerDefaultRules.forUser(ALICE);

    private static String decidingRule(JsonObject event, EvaluationContext ctx) {
        return PushRuleEvaluator.evaluate(DEFAULTS, event, ctx).map(m -> m.rule().ruleId()).orElse(null);
    }

    private static String decidingRule(JsonObject event) {
        return decidingRule(event, context(5));
    }

    @Test
    void defaultsAreTheSpecsRulesInTheSpecsOrder() {
        assertEquals(List.of(".m.rule.master", ".m.rule.suppress_notices", ".m.rule.invite_for_me",
                        ".m.rule.member_event", ".m.rule.is_user_mention", ".m.rule.is_room_mention",
                        ".m.rule.tombstone", ".m.rule.reaction", ".m.rule.room.server_acl", ".m.rule.suppress_edits",
                        ".m.rule.call", ".m.rule.encrypted_room_one_to_one", ".m.rule.room_one_to_one",
                        ".m.rule.message", ".m.rule.encrypted"),
                DEFAULTS.inEvaluationOrder().stream().map(PushRule::ruleId).toList());
        assertTrue(DEFAULTS.inEvaluationOrder().stream().allMatch(PushRule::isDefault));
        assertTrue(DEFAULTS.content().isEmpty() && DEFAULTS.room().isEmpty() && DEFAULTS.sender().isEmpty());
    }

    @Test
    void legacyBodyMentionRulesAreGoneSinceV117() {
        for (String removed : List.of(".m.rule.contains_display_name", ".m.rule.roomnotif",
                ".m.rule.contains_user_name")) {
            assertTrue(DEFAULTS.inEvaluationOrder().stream().noneMatch(r -> r.ruleId().equals(removed)), removed);
        }
        // A body naming Alice, without m.mentions, is now just a message.
        assertEquals(".m.rule.message", decidingRule(message("{'msgtype':'m.text','body':'hi Alice Smith @room alice'}")));
    }

    @Test
    void masterIsDisabledByDefaultAndSilencesEverythingWhenEnabled() {
        PushRule master = DEFAULTS.override().get(0);
        assertFalse(master.enabled());
        assertTrue(master.conditions().isEmpty());
        PushRuleset silenced = PushRuleset.merge(
                new PushRuleset(List.of(master.withEnabled(true)), List.of(), List.of(), List.of(), List.of()),
                DEFAULTS);
        var match = PushRuleEvaluator.evaluate(silenced, message("{'msgtype':'m.text','body':'hi'}"), context(2));
        assertEquals(".m.rule.master", match.orElseThrow().rule().ruleId());
        assertFalse(match.get().outcome().notifies());
    }

    @Test
    void noticesAreSuppressed() {
        var match = PushRuleEvaluator.evaluate(DEFAULTS, message("{'msgtype':'m.notice','body':'bot says'}"), context(2));
        assertEquals(".m.rule.suppress_notices", match.orElseThrow().rule().ruleId());
        assertEquals(PushOutcome.NONE, match.get().outcome());
        assertEquals(".m.rule.room_one_to_one", decidingRule(message("{'msgtype':'m.text','body':'hi'}"), context(2)));
    }

    @Test
    void inviteForMeNotifiesWithSoundOnlyForMe() {
        JsonObject invite = event("{'type':'m.room.member','sender':'" + BOB + "','state_key':'@alice:example.org',"
                + "'room_id':'!r:example.org','content':{'membership':'invite'}}");
        var match = PushRuleEvaluator.evaluate(DEFAULTS, invite, context(5)).orElseThrow();
        assertEquals(".m.rule.invite_for_me", match.rule().ruleId());
        assertEquals(new PushOutcome(true, false, "default"), match.outcome());

        JsonObject otherInvite = event("{'type':'m.room.member','sender':'" + BOB + "','state_key':'@carol:example.org',"
                + "'room_id':'!r:example.org','content':{'membership':'invite'}}");
        assertEquals(".m.rule.member_event", decidingRule(otherInvite));
        JsonObject join = event("{'type':'m.room.member','sender':'@alice:example.org','state_key':'@alice:example.org',"
                + "'room_id':'!r:example.org','content':{'membership':'join'}}");
        assertNull(decidingRule(join), "own events never notify");
    }

    @Test
    void memberEventsAreSilent() {
        JsonObject join = event("{'type':'m.room.member','sender':'" + BOB + "','state_key':'" + BOB + "',"
                + "'room_id':'!r:example.org','content':{'membership':'join'}}");
        var match = PushRuleEvaluator.evaluate(DEFAULTS, join, context(2)).orElseThrow();
        assertEquals(".m.rule.member_event", match.rule().ruleId());
        assertFalse(match.outcome().notifies());
    }

    @Test
    void userMentionGoesByMentionsUserIds() {
        var match = PushRuleEvaluator.evaluate(DEFAULTS,
                message("{'msgtype':'m.text','body':'hey','m.mentions':{'user_ids':['@carol:example.org','@alice:example.org']}}"),
                context(5)).orElseThrow();
        assertEquals(".m.rule.is_user_mention", match.rule().ruleId());
        assertEquals(new PushOutcome(true, true, "default"), match.outcome());
        assertTrue(match.outcome().countsAsHighlight());

        assertEquals(".m.rule.message", decidingRule(
                message("{'msgtype':'m.text','body':'@alice:example.org','m.mentions':{'user_ids':['@carol:example.org']}}")));
        // The key is m\.mentions: a nested {m: {mentions: ...}} is not it.
        assertEquals(".m.rule.message", decidingRule(
                message("{'msgtype':'m.text','body':'x','m':{'mentions':{'user_ids':['@alice:example.org']}}}")));
        // user_ids must be an array; a bare string is not "contains".
        assertEquals(".m.rule.message", decidingRule(
                message("{'msgtype':'m.text','body':'x','m.mentions':{'user_ids':'@alice:example.org'}}")));
    }

    @Test
    void roomMentionNeedsTheRoomNotificationLevel() {
        JsonObject atRoom = message("{'msgtype':'m.text','body':'@room','m.mentions':{'room':true}}");
        assertEquals(".m.rule.message", decidingRule(atRoom, context(5, 49)));
        var match = PushRuleEvaluator.evaluate(DEFAULTS, atRoom, context(5, 50)).orElseThrow();
        assertEquals(".m.rule.is_room_mention", match.rule().ruleId());
        assertEquals(new PushOutcome(true, true, null), match.outcome());
        // room must be exactly true: the string "true" and 1 are not.
        assertEquals(".m.rule.message", decidingRule(
                message("{'msgtype':'m.text','body':'x','m.mentions':{'room':'true'}}"), context(5, 100)));
        assertEquals(".m.rule.message", decidingRule(
                message("{'msgtype':'m.text','body':'x','m.mentions':{'room':1}}"), context(5, 100)));
    }

    @Test
    void tombstoneHighlightsOnlyAsState() {
        JsonObject tombstone = event("{'type':'m.room.tombstone','sender':'" + BOB + "','state_key':'',"
                + "'room_id':'!r:example.org','content':{'body':'moved','replacement_room':'!n:example.org'}}");
        var match = PushRuleEvaluator.evaluate(DEFAULTS, tombstone, context(5)).orElseThrow();
        assertEquals(".m.rule.tombstone", match.rule().ruleId());
        assertEquals(new PushOutcome(true, true, null), match.outcome());
        JsonObject notState = event("{'type':'m.room.tombstone','sender':'" + BOB + "',"
                + "'room_id':'!r:example.org','content':{'body':'moved'}}");
        assertNull(decidingRule(notState));
    }

    @Test
    void reactionsAreSilent() {
        JsonObject reaction = event("{'type':'m.reaction','sender':'" + BOB + "','room_id':'!r:example.org',"
                + "'content':{'m.relates_to':{'rel_type':'m.annotation','event_id':'$x','key':'👍'}}}");
        assertEquals(".m.rule.reaction", decidingRule(reaction, context(2)));
        assertEquals(PushOutcome.NONE, PushRuleEvaluator.outcome(DEFAULTS, reaction, context(2)));
    }

    @Test
    void serverAclChangesAreSilent() {
        JsonObject acl = event("{'type':'m.room.server_acl','sender':'" + BOB + "','state_key':'',"
                + "'room_id':'!r:example.org','content':{'allow':['*']}}");
        assertEquals(".m.rule.room.server_acl", decidingRule(acl));
        assertEquals(PushOutcome.NONE, PushRuleEvaluator.outcome(DEFAULTS, acl, context(5)));
    }

    @Test
    void editsAreSuppressedEvenWhenTheyMention() {
        JsonObject edit = message("{'msgtype':'m.text','body':'* fixed','m.new_content':{'msgtype':'m.text','body':'fixed'},"
                + "'m.relates_to':{'rel_type':'m.replace','event_id':'$orig'}}");
        assertEquals(".m.rule.suppress_edits", decidingRule(edit, context(2)));
        JsonObject thread = message("{'msgtype':'m.text','body':'reply',"
                + "'m.relates_to':{'rel_type':'m.thread','event_id':'$root'}}");
        assertEquals(".m.rule.message", decidingRule(thread));
        // is_user_mention ranks above suppress_edits in the spec's list.
        JsonObject mentioningEdit = message("{'msgtype':'m.text','body':'* hi','m.mentions':{'user_ids':['@alice:example.org']},"
                + "'m.relates_to':{'rel_type':'m.replace','event_id':'$orig'}}");
        assertEquals(".m.rule.is_user_mention", decidingRule(mentioningEdit));
    }

    @Test
    void callsRing() {
        JsonObject call = event("{'type':'m.call.invite','sender':'" + BOB + "','room_id':'!r:example.org',"
                + "'content':{'call_id':'c','version':'1','lifetime':60000}}");
        var match = PushRuleEvaluator.evaluate(DEFAULTS, call, context(7)).orElseThrow();
        assertEquals(".m.rule.call", match.rule().ruleId());
        assertEquals(new PushOutcome(true, false, "ring"), match.outcome());
    }

    @Test
    void oneToOneRoomsNeedExactlyTwoMembers() {
        JsonObject text = message("{'msgtype':'m.text','body':'hi'}");
        assertEquals(".m.rule.room_one_to_one", decidingRule(text, context(2)));
        assertEquals(new PushOutcome(true, false, "default"), PushRuleEvaluator.outcome(DEFAULTS, text, context(2)));
        assertEquals(".m.rule.message", decidingRule(text, context(3)));
        assertEquals(new PushOutcome(true, false, null), PushRuleEvaluator.outcome(DEFAULTS, text, context(3)));
        assertEquals(".m.rule.message", decidingRule(text, context(1)));
    }

    @Test
    void encryptedEventsNotifyAllOrNothing() {
        JsonObject encrypted = event("{'type':'m.room.encrypted','sender':'" + BOB + "','room_id':'!r:example.org',"
                + "'content':{'algorithm':'m.megolm.v1.aes-sha2','ciphertext':'AAAA'}}");
        assertEquals(".m.rule.encrypted_room_one_to_one", decidingRule(encrypted, context(2)));
        assertEquals(new PushOutcome(true, false, "default"), PushRuleEvaluator.outcome(DEFAULTS, encrypted, context(2)));
        assertEquals(".m.rule.encrypted", decidingRule(encrypted, context(10)));
        assertEquals(new PushOutcome(true, false, null), PushRuleEvaluator.outcome(DEFAULTS, encrypted, context(10)));
    }

    @Test
    void otherEventsMatchNoRule() {
        JsonObject topic = event("{'type':'m.room.topic','sender':'" + BOB + "','state_key':'',"
                + "'room_id':'!r:example.org','content':{'topic':'lunch'}}");
        assertEquals(Optional.empty(), PushRuleEvaluator.evaluate(DEFAULTS, topic, context(2)));
        assertEquals(PushOutcome.NONE, PushRuleEvaluator.outcome(DEFAULTS, topic, context(2)));
    }
}
