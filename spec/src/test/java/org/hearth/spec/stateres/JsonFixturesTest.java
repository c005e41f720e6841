package org.hearth.spec.stateres;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Hand-written fixtures in {@code src/test/resources/stateres/}: events, state sets as lists of event IDs, and
 * the expected resolved state, run through the public {@link StateResolver#resolve} with the real rules.
 * Each file's {@code description} works its outcome out from the spec section named in {@code spec}.
 */
class JsonFixturesTest {
    static final List<String> FILES = List.of("v10-topic-mainline-timestamp-id.json", "v12-ban-join-empty-start.json");

    @TestFactory
    Stream<DynamicTest> fixtures() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (String file : FILES) {
            JsonObject fixture;
            try (InputStream in = getClass().getResourceAsStream("/stateres/" + file)) {
                fixture = Json.createReader(in).readObject();
            }
            RoomVersion version = RoomVersion.find(fixture.getString("room_version")).orElseThrow();
            Map<String, Pdu> events = new HashMap<>();
            for (JsonValue v : fixture.getJsonArray("events")) {
                JsonObject e = v.asJsonObject();
                String id = e.getString("event_id");
                JsonObject json = version.eventIds() == org.hearth.spec.room.EventIdFormat.SERVER_CHOSEN
                        ? e : Json.createObjectBuilder(e).remove("event_id").build();
                events.put(id, new Pdu(id, json));
            }
            for (JsonValue c : fixture.getJsonArray("cases")) {
                JsonObject testCase = c.asJsonObject();
                tests.add(DynamicTest.dynamicTest(file + ": " + testCase.getString("name"), () -> {
                    List<Map<StateKey, String>> sets = new ArrayList<>();
                    for (JsonValue s : testCase.getJsonArray("state_sets")) {
                        sets.add(stateOf(s, events));
                    }
                    Map<StateKey, String> expected = stateOf(testCase.get("expected"), events);
                    assertEquals(expected, StateResolver.resolve(version, sets, events::get));
                }));
            }
        }
        return tests.stream();
    }

    private static Map<StateKey, String> stateOf(JsonValue ids, Map<String, Pdu> events) {
        Map<StateKey, String> state = new HashMap<>();
        for (JsonValue id : ids.asJsonArray()) {
            Pdu e = events.get(((JsonString) id).getString());
            state.put(e.stateTuple().orElseThrow(), e.eventId());
        }
        return state;
    }
}
