package org.hearth.core.spaces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

/** What a federation /hierarchy answer's room becomes: its summary apart, only well-formed m.space.child events. */
class RemoteSpaceRoomTest {
    @Test
    void keepsTheSummaryAndTheWellFormedChildren() {
        JsonObject child = Json.objectBuilder().add("type", "m.space.child").add("state_key", "!c:remote")
                .add("content", Json.objectBuilder().add("via", Json.arrayBuilder().add("remote")))
                .add("sender", "@a:remote").add("origin_server_ts", 5).build();
        JsonObject room = Json.objectBuilder().add("room_id", "!s:remote").add("name", "Space")
                .add("num_joined_members", 3).add("children_state", Json.arrayBuilder().add(child)
                        .add(Json.objectBuilder().add("type", "m.room.name").add("state_key", "")
                                .add("content", Json.objectBuilder()))
                        .add(Json.objectBuilder().add("type", "m.space.child").add("state_key", "!d:remote"))
                        .add("not an event"))
                .build();
        SpaceHierarchy.Room parsed = SpaceHierarchy.remoteRoom(room).orElseThrow();
        assertEquals("!s:remote", parsed.roomId());
        assertFalse(parsed.summary().containsKey("children_state"));
        assertEquals("Space", parsed.summary().getString("name"));
        assertEquals(java.util.List.of(child), parsed.children());
        assertEquals(1, parsed.json().getJsonArray("children_state").size());
    }

    @Test
    void aRoomWithoutAValidIdIsNone() {
        assertTrue(SpaceHierarchy.remoteRoom(Json.objectBuilder().add("name", "x").build()).isEmpty());
        assertTrue(SpaceHierarchy.remoteRoom(Json.objectBuilder().add("room_id", "nope").build()).isEmpty());
    }
}
