package org.hearth.core.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import java.util.Set;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

/** The /publicRooms filter as both APIs read it. */
class PublicRoomsJsonTest {
    @Test
    void readsTheSearchTermAndRoomTypes() {
        RoomDirectory.Filter f = PublicRoomsJson.filter(Json.objectBuilder().add("generic_search_term", "lounge")
                .add("room_types", Json.arrayBuilder().add("m.space").addNull()).build());
        assertEquals("lounge", f.searchTerm());
        assertEquals(Optional.of(Set.of(Optional.of("m.space"), Optional.empty())), f.roomTypes());
        assertEquals(RoomDirectory.Filter.NONE, PublicRoomsJson.filter(null));
    }

    @Test
    void malformedFiltersAreBadJson() {
        assertEquals(ErrorCode.BAD_JSON, assertThrows(MatrixException.class, () -> PublicRoomsJson.filter(
                Json.objectBuilder().add("generic_search_term", 3).build())).code());
        assertEquals(ErrorCode.BAD_JSON, assertThrows(MatrixException.class, () -> PublicRoomsJson.filter(
                Json.objectBuilder().add("room_types", "m.space").build())).code());
        assertEquals(ErrorCode.BAD_JSON, assertThrows(MatrixException.class, () -> PublicRoomsJson.filter(
                Json.objectBuilder().add("room_types", Json.arrayBuilder().add(1)).build())).code());
    }
}
