package org.hearth.server.client;

import static org.hearth.server.client.RoomsHarness.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** POST /search (room_events) over HTTP and MariaDB's FULLTEXT index. */
class SearchRoutesIT {
    @RegisterExtension
    static final RoomsHarness server = new RoomsHarness();

    private static JsonObject roomEvents(RoomsHarness.Client c, String criteria) {
        return search(c, criteria, null);
    }

    private static JsonObject search(RoomsHarness.Client c, String criteria, String nextBatch) {
        return c.post("/search" + (nextBatch == null ? "" : "?next_batch=" + enc(nextBatch)),
                "{\"search_categories\":{\"room_events\":" + criteria + "}}").ok().json()
                .getJsonObject("search_categories").getJsonObject("room_events");
    }

    private static List<String> results(JsonObject roomEvents) {
        return roomEvents.getJsonArray("results").stream()
                .map(v -> v.asJsonObject().getJsonObject("result").getString("event_id")).toList();
    }

    @Test
    void findsWordsCaseInsensitivelyAsPrefixesWithRankCountAndHighlights() {
        var alice = server.user("s-alice");
        String room = alice.createRoom("{\"name\":\"Zebra Planning\",\"topic\":\"quarterly zebras\"}");
        String hit = alice.sendText(room, "The Zebra crossing is closed today");
        String hit2 = alice.sendText(room, "zebras everywhere");
        alice.sendText(room, "nothing to see here");
        JsonObject found = roomEvents(alice, "{\"search_term\":\"zebra\",\"keys\":[\"content.body\"]}");
        assertEquals(new HashSet<>(List.of(hit, hit2)), new HashSet<>(results(found)));
        assertEquals(2, found.getInt("count"));
        assertEquals(List.of("zebra"), found.getJsonArray("highlights").getValuesAs(jakarta.json.JsonString.class)
                .stream().map(jakarta.json.JsonString::getString).toList());
        assertTrue(found.getJsonArray("results").getJsonObject(0).getJsonNumber("rank").doubleValue() > 0);
        // Every word is required; stopwords ("the") and short words ("is") are searchable too.
        assertEquals(List.of(hit), results(roomEvents(alice, "{\"search_term\":\"the crossing\"}")));
        assertEquals(List.of(hit), results(roomEvents(alice, "{\"search_term\":\"zebra is\"}")));
        assertEquals(List.of(), results(roomEvents(alice, "{\"search_term\":\"zebra unicorn\"}")));
        // Names and topics are found through their keys.
        JsonObject names = roomEvents(alice, "{\"search_term\":\"planning\",\"keys\":[\"content.name\"]}");
        assertEquals(1, names.getJsonArray("results").size());
        assertEquals("m.room.name", names.getJsonArray("results").getJsonObject(0).getJsonObject("result").getString("type"));
        assertEquals(1, results(roomEvents(alice, "{\"search_term\":\"quarterly\",\"keys\":[\"content.topic\"]}")).size());
        assertEquals(List.of(), results(roomEvents(alice, "{\"search_term\":\"quarterly\",\"keys\":[\"content.body\"]}")));
    }

    @Test
    void onlyRoomsAndEventsTheUserMaySee() {
        var alice = server.user("v-alice");
        var bob = server.user("v-bob");
        var eve = server.user("v-eve");
        String room = alice.createRoom("{\"preset\":\"public_chat\"}");
        // history_visibility "joined": bob, joining later, must not find what was said before he joined.
        alice.put("/rooms/" + enc(room) + "/state/m.room.history_visibility/", "{\"history_visibility\":\"joined\"}").ok();
        String before = alice.sendText(room, "walrus before bob");
        bob.post("/rooms/" + enc(room) + "/join", "{}").ok();
        String after = alice.sendText(room, "walrus after bob");
        assertEquals(List.of(after), results(roomEvents(bob, "{\"search_term\":\"walrus\"}")));
        assertEquals(new HashSet<>(List.of(before, after)),
                new HashSet<>(results(roomEvents(alice, "{\"search_term\":\"walrus\"}"))));
        // A non-member gets nothing, even naming the room in the filter.
        JsonObject nothing = roomEvents(eve, "{\"search_term\":\"walrus\",\"filter\":{\"rooms\":[\"" + room + "\"]}}");
        assertEquals(List.of(), results(nothing));
        assertEquals(0, nothing.getInt("count"));
        // Redacted events leave the index.
        alice.put("/rooms/" + enc(room) + "/redact/" + enc(after) + "/r1", "{}").ok();
        assertEquals(List.of(), results(roomEvents(bob, "{\"search_term\":\"walrus\"}")));
    }

    @Test
    void recentOrderPaginatesWithNextBatchAndFiltersApply() {
        var alice = server.user("p-alice");
        var bob = server.user("p-bob");
        String room = alice.createRoom("{\"preset\":\"public_chat\"}");
        String other = alice.createRoom("{}");
        bob.post("/rooms/" + enc(room) + "/join", "{}").ok();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            sent.add((i % 2 == 0 ? alice : bob).sendText(room, "narwhal number " + i));
        }
        alice.sendText(other, "narwhal elsewhere");
        List<String> seen = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            JsonObject page = search(alice, "{\"search_term\":\"narwhal\",\"order_by\":\"recent\","
                    + "\"filter\":{\"limit\":3,\"rooms\":[\"" + room + "\"]}}", next);
            seen.addAll(results(page));
            next = page.containsKey("next_batch") ? page.getString("next_batch") : null;
        } while (next != null && ++pages < 10);
        assertEquals(sent.reversed(), seen);
        // Ranked order pages too, without duplicates.
        List<String> ranked = new ArrayList<>();
        next = null;
        pages = 0;
        do {
            JsonObject page = search(alice, "{\"search_term\":\"narwhal\",\"filter\":{\"limit\":4}}", next);
            ranked.addAll(results(page));
            next = page.containsKey("next_batch") ? page.getString("next_batch") : null;
        } while (next != null && ++pages < 10);
        assertEquals(8, ranked.size());
        assertEquals(8, new HashSet<>(ranked).size());
        // Senders and not_rooms.
        assertEquals(3, results(roomEvents(alice, "{\"search_term\":\"narwhal\",\"filter\":{\"senders\":[\"" + bob.userId
                + "\"]}}")).size());
        assertEquals(7, results(roomEvents(alice, "{\"search_term\":\"narwhal\",\"filter\":{\"limit\":20,\"not_rooms\":[\""
                + other + "\"]}}")).size());
    }

    @Test
    void contextProfilesStateAndGroups() {
        var alice = server.user("c-alice");
        String room = alice.createRoom("{\"name\":\"Ctx\"}");
        alice.put("/profile/" + enc(alice.userId) + "/displayname", "{\"displayname\":\"Alice\"}");
        String b1 = alice.sendText(room, "before one");
        String hit = alice.sendText(room, "the platypus speaks");
        String a1 = alice.sendText(room, "after one");
        JsonObject found = roomEvents(alice, """
                {"search_term":"platypus","event_context":{"before_limit":1,"after_limit":1,"include_profile":true},
                 "include_state":true,"groupings":{"group_by":[{"key":"room_id"},{"key":"sender"}]}}""");
        JsonObject result = found.getJsonArray("results").getJsonObject(0);
        assertEquals(hit, result.getJsonObject("result").getString("event_id"));
        JsonObject context = result.getJsonObject("context");
        assertEquals(b1, context.getJsonArray("events_before").getJsonObject(0).getString("event_id"));
        assertEquals(a1, context.getJsonArray("events_after").getJsonObject(0).getString("event_id"));
        assertTrue(context.containsKey("start") && context.containsKey("end"));
        assertTrue(context.getJsonObject("profile_info").containsKey(alice.userId));
        assertTrue(found.getJsonObject("state").getJsonArray(room).size() > 3);
        assertEquals(List.of(hit), found.getJsonObject("groups").getJsonObject("room_id").getJsonObject(room)
                .getJsonArray("results").getValuesAs(jakarta.json.JsonString.class).stream()
                .map(jakarta.json.JsonString::getString).toList());
        assertTrue(found.getJsonObject("groups").getJsonObject("sender").containsKey(alice.userId));
    }

    @Test
    void badRequestsAreRefused() {
        var alice = server.user("b-alice");
        alice.post("/search", "{}").assertError(400, "M_MISSING_PARAM");
        alice.post("/search", "{\"search_categories\":{\"room_events\":{}}}").assertError(400, "M_MISSING_PARAM");
        alice.post("/search", "{\"search_categories\":{\"room_events\":{\"search_term\":5}}}").assertError(400, "M_BAD_JSON");
        alice.post("/search", "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\",\"keys\":[\"content.secret\"]}}}")
                .assertError(400, "M_BAD_JSON");
        alice.post("/search", "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\",\"order_by\":\"best\"}}}")
                .assertError(400, "M_BAD_JSON");
        alice.post("/search", "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\",\"filter\":{\"limit\":\"3\"}}}}")
                .assertError(400, "M_BAD_JSON");
        alice.post("/search?next_batch=zzz", "{\"search_categories\":{\"room_events\":{\"search_term\":\"x\"}}}")
                .assertError(400, "M_INVALID_PARAM");
        alice.post("/search", "not json").assertError(400, "M_NOT_JSON");
        alice.get("/search").assertError(405, "M_UNRECOGNIZED");
        // Search terms cannot smuggle FULLTEXT operators or LIKE wildcards.
        String room = alice.createRoom("{}");
        alice.sendText(room, "plain words");
        assertEquals(List.of(), results(roomEvents(alice, "{\"search_term\":\"-plain +(\\\"x*\\\") % _\"}")));
        assertFalse(results(roomEvents(alice, "{\"search_term\":\"plain\"}")).isEmpty());
    }
}
