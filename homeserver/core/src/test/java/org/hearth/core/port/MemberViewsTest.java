package org.hearth.core.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Set;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class MemberViewsTest {
    private static final Set<String> VISIBLE = Set.of("@author:x", "@me:x");

    private static JsonObject parse(String json) {
        return Json.parse(json).asJsonObject();
    }

    @Test
    void membershipEventsOfHiddenUsersAreDroppedAndOtherEventsKept() {
        var hidden = parse("{\"type\":\"m.room.member\",\"state_key\":\"@other:x\",\"content\":{\"membership\":\"join\"}}");
        var mine = parse("{\"type\":\"m.room.member\",\"state_key\":\"@me:x\",\"content\":{\"membership\":\"join\"}}");
        var message = parse("{\"type\":\"m.room.message\",\"sender\":\"@other:x\",\"content\":{}}");
        assertEquals(List.of(mine, message), MemberViews.filterEvents(VISIBLE, List.of(hidden, mine, message)));
    }

    @Test
    void receiptsKeepOnlyVisibleUsersAndVanishWhenNoneIsLeft() {
        var receipt = parse("""
                {"type":"m.receipt","content":{
                  "$a":{"m.read":{"@other:x":{"ts":1},"@author:x":{"ts":2}}},
                  "$b":{"m.read":{"@other:x":{"ts":3}}}}}""");
        JsonObject kept = MemberViews.filterEphemeral(VISIBLE, receipt);
        assertEquals(parse("{\"$a\":{\"m.read\":{\"@author:x\":{\"ts\":2}}}}"), kept.getJsonObject("content"));
        assertNull(MemberViews.filterEphemeral(Set.of("@me:x"), receipt));
    }

    @Test
    void typingAndSummaryHideOthers() {
        var typing = parse("{\"type\":\"m.typing\",\"content\":{\"user_ids\":[\"@other:x\",\"@author:x\"]}}");
        assertEquals(Json.arrayBuilder().add("@author:x").build(),
                MemberViews.filterEphemeral(VISIBLE, typing).getJsonObject("content").getJsonArray("user_ids"));
        JsonObject summary = MemberViews.filterSummary(VISIBLE, parse(
                "{\"m.heroes\":[\"@other:x\",\"@author:x\"],\"m.joined_member_count\":3,\"m.invited_member_count\":0}"));
        assertEquals(Json.arrayBuilder().add("@author:x").build(), summary.getJsonArray("m.heroes"));
        assertFalse(summary.containsKey("m.joined_member_count"));
        assertTrue(MemberViews.EVERYONE.visibleMembers(null, null).isEmpty());
    }
}
