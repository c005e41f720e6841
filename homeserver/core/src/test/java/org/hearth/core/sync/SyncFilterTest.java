package org.hearth.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SyncFilterTest {
    @Test
    void parsesEveryPartOfTheSpecExample() {
        var filter = SyncFilter.parse(Json.parseObject("""
                {"room": {"state": {"types": ["m.room.*"], "not_rooms": ["!726s6s6q:example.com"], "lazy_load_members": true},
                          "timeline": {"limit": 10, "types": ["m.room.message"], "not_rooms": ["!726s6s6q:example.com"],
                                       "not_senders": ["@spam:example.com"]},
                          "ephemeral": {"types": ["m.receipt", "m.typing"], "not_rooms": ["!726s6s6q:example.com"],
                                        "not_senders": ["@spam:example.com"]},
                          "include_leave": true},
                 "presence": {"types": ["m.presence"], "not_senders": ["@alice:example.com"]},
                 "event_format": "client", "event_fields": ["type", "content", "sender"]}"""));
        assertEquals(Optional.of(10), filter.room().timeline().limit());
        assertTrue(filter.room().state().lazyLoadMembers());
        assertFalse(filter.room().timeline().lazyLoadMembers());
        assertTrue(filter.room().includeLeave());
        assertEquals(Optional.of(List.of("type", "content", "sender")), filter.eventFields());
        assertTrue(filter.room().state().events().matches("m.room.member", "@a:x"));
        assertFalse(filter.room().state().events().matches("m.reaction", "@a:x"));
        assertFalse(filter.room().timeline().events().matches("m.room.message", "@spam:example.com"));
        assertFalse(filter.presence().matches("m.presence", "@alice:example.com"));
        assertFalse(filter.room().state().matchesRoom("!726s6s6q:example.com"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"event_format\": \"xml\"}", "{\"event_fields\": \"type\"}", "{\"event_fields\": [1]}",
            "{\"room\": []}", "{\"room\": {\"timeline\": {\"limit\": -1}}}", "{\"room\": {\"timeline\": {\"limit\": 1.5}}}",
            "{\"presence\": {\"types\": [null]}}", "{\"room\": {\"include_leave\": \"yes\"}}"})
    void malformedFiltersAreBadJson(String json) {
        var e = assertThrows(MatrixException.class, () -> SyncFilter.parse(Json.parseObject(json)));
        assertEquals(ErrorCode.BAD_JSON, e.code());
    }

    @Test
    void notTypesWinAndWildcardsMatchRuns() {
        var f = SyncFilter.parse(Json.parseObject("{\"presence\": {\"types\": [\"m.*\"], \"not_types\": [\"m.x*z\"]}}")).presence();
        assertTrue(f.matches("m.presence", null));
        assertFalse(f.matches("m.xyz", null));
        assertFalse(f.matches("org.other", null));
        assertTrue(SyncFilter.glob("*", ""));
        assertTrue(SyncFilter.glob("a*b*c", "abbc"));
        assertFalse(SyncFilter.glob("a*b*c", "ac"));
    }

    @Test
    void emptyListMatchesNothingAbsentMatchesEverything() {
        var none = SyncFilter.parse(Json.parseObject("{\"account_data\": {\"types\": []}}")).accountData();
        assertFalse(none.matches("m.direct", null));
        assertTrue(SyncFilter.EMPTY.accountData().matches("m.direct", null));
    }

    @Test
    void eventFieldsKeepOnlyTheNamedPathsWithEscapedDots() {
        var filter = SyncFilter.parse(Json.parseObject(
                "{\"event_fields\": [\"type\", \"content.body\", \"content.m\\\\.relates_to\", \"missing.x\"]}"));
        var projected = filter.project(Json.parseObject(
                "{\"type\": \"m.room.message\", \"sender\": \"@a:x\", \"content\": {\"body\": \"hi\", \"msgtype\": \"m.text\", \"m.relates_to\": {}}}"));
        assertEquals(Json.parseObject("{\"type\": \"m.room.message\", \"content\": {\"body\": \"hi\", \"m.relates_to\": {}}}"),
                projected);
        assertEquals(List.of("content", "m.relates_to"), SyncFilter.splitPath("content.m\\.relates_to"));
    }
}
