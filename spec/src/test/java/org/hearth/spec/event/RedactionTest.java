package org.hearth.spec.event;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

/** Written from the "Redactions" sections of rooms/v1, v6, v8, v9 and v11. */
class RedactionTest {

    private static String redacted(RoomVersion version, String event) {
        return CanonicalJson.encode(Redaction.redact(version, Json.parseObject(event)));
    }

    @Test
    void unknownTopLevelKeysAndUnsignedGo() {
        String event = "{\"type\":\"m.room.message\",\"content\":{\"body\":\"x\"},\"unsigned\":{\"age\":1},\"extra\":1}";
        assertEquals("{\"content\":{},\"type\":\"m.room.message\"}", redacted(RoomVersion.V1, event));
        assertEquals("{\"content\":{},\"type\":\"m.room.message\"}", redacted(RoomVersion.V11, event));
    }

    @Test
    void aliasesKeepTheirListOnlyBeforeVersion6() {
        String event = "{\"type\":\"m.room.aliases\",\"content\":{\"aliases\":[\"#a:b\"],\"x\":1}}";
        assertEquals("{\"content\":{\"aliases\":[\"#a:b\"]},\"type\":\"m.room.aliases\"}", redacted(RoomVersion.V5, event));
        assertEquals("{\"content\":{},\"type\":\"m.room.aliases\"}", redacted(RoomVersion.V6, event));
    }

    @Test
    void joinRulesKeepAllowFromVersion8() {
        String event = "{\"type\":\"m.room.join_rules\",\"content\":{\"join_rule\":\"restricted\",\"allow\":[]}}";
        assertEquals("{\"content\":{\"join_rule\":\"restricted\"},\"type\":\"m.room.join_rules\"}",
                redacted(RoomVersion.V7, event));
        assertEquals("{\"content\":{\"allow\":[],\"join_rule\":\"restricted\"},\"type\":\"m.room.join_rules\"}",
                redacted(RoomVersion.V8, event));
    }

    @Test
    void membersKeepTheAuthorisingServerFromVersion9() {
        String event = "{\"type\":\"m.room.member\",\"content\":{\"membership\":\"join\","
                + "\"join_authorised_via_users_server\":\"@a:b\"}}";
        assertEquals("{\"content\":{\"membership\":\"join\"},\"type\":\"m.room.member\"}", redacted(RoomVersion.V8, event));
        assertEquals("{\"content\":{\"join_authorised_via_users_server\":\"@a:b\",\"membership\":\"join\"},"
                + "\"type\":\"m.room.member\"}", redacted(RoomVersion.V9, event));
    }

    @Test
    void version11KeepsCreateContentInvitePowerAndRedacts() {
        assertEquals("{\"content\":{\"creator\":\"@a:b\",\"x\":1},\"type\":\"m.room.create\"}",
                redacted(RoomVersion.V11, "{\"type\":\"m.room.create\",\"content\":{\"creator\":\"@a:b\",\"x\":1}}"));
        assertEquals("{\"content\":{\"creator\":\"@a:b\"},\"type\":\"m.room.create\"}",
                redacted(RoomVersion.V10, "{\"type\":\"m.room.create\",\"content\":{\"creator\":\"@a:b\",\"x\":1}}"));
        String power = "{\"type\":\"m.room.power_levels\",\"content\":{\"invite\":50,\"notifications\":{}}}";
        assertEquals("{\"content\":{},\"type\":\"m.room.power_levels\"}", redacted(RoomVersion.V10, power));
        assertEquals("{\"content\":{\"invite\":50},\"type\":\"m.room.power_levels\"}", redacted(RoomVersion.V11, power));
        String redaction = "{\"type\":\"m.room.redaction\",\"redacts\":\"$x\",\"content\":{\"redacts\":\"$x\",\"reason\":\"r\"}}";
        assertEquals("{\"content\":{},\"type\":\"m.room.redaction\"}", redacted(RoomVersion.V10, redaction));
        assertEquals("{\"content\":{\"redacts\":\"$x\"},\"type\":\"m.room.redaction\"}", redacted(RoomVersion.V11, redaction));
    }

    @Test
    void version11DropsLegacyTopLevelKeys() {
        String event = "{\"type\":\"x\",\"content\":{},\"origin\":\"b\",\"membership\":\"join\",\"prev_state\":[]}";
        assertEquals("{\"content\":{},\"membership\":\"join\",\"origin\":\"b\",\"prev_state\":[],\"type\":\"x\"}",
                redacted(RoomVersion.V10, event));
        assertEquals("{\"content\":{},\"type\":\"x\"}", redacted(RoomVersion.V11, event));
    }

    @Test
    void version11KeepsOnlyTheSignedPartOfAThirdPartyInvite() {
        String member = "{\"type\":\"m.room.member\",\"content\":{\"membership\":\"invite\",\"third_party_invite\":%s}}";
        assertEquals("{\"content\":{\"membership\":\"invite\",\"third_party_invite\":{\"signed\":{\"token\":\"t\"}}},"
                + "\"type\":\"m.room.member\"}", redacted(RoomVersion.V11,
                member.formatted("{\"display_name\":\"d\",\"signed\":{\"token\":\"t\"}}")));
        // Vectors edge case: no `signed` leaves an empty object, as Synapse does.
        assertEquals("{\"content\":{\"membership\":\"invite\",\"third_party_invite\":{}},\"type\":\"m.room.member\"}",
                redacted(RoomVersion.V11, member.formatted("{\"display_name\":\"d\"}")));
        assertEquals("{\"content\":{\"membership\":\"invite\"},\"type\":\"m.room.member\"}",
                redacted(RoomVersion.V11, member.formatted("\"not an object\"")));
        assertEquals("{\"content\":{\"membership\":\"invite\"},\"type\":\"m.room.member\"}",
                redacted(RoomVersion.V10, member.formatted("{\"signed\":{}}")));
    }

    @Test
    void aMissingOrMalformedContentBecomesEmpty() {
        JsonObject noContent = Json.parseObject("{\"type\":\"m.room.member\"}");
        assertEquals("{\"content\":{},\"type\":\"m.room.member\"}", CanonicalJson.encode(Redaction.redact(RoomVersion.V1, noContent)));
        assertEquals("{\"content\":{},\"type\":\"m.room.member\"}", redacted(RoomVersion.V1, "{\"type\":\"m.room.member\",\"content\":5}"));
    }
}
