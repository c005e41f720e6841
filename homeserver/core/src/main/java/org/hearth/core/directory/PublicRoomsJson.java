package org.hearth.core.directory;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * The published room directory in its JSON shapes, the same for the Client-Server {@code /publicRooms} and the
 * Server-Server one: the request's filter and the answer's chunks.
 */
public final class PublicRoomsJson {
    private PublicRoomsJson() {}

    /** Spec: the {@code filter} of a {@code POST /publicRooms}; {@code M_BAD_JSON} when malformed. */
    public static RoomDirectory.Filter filter(JsonObject filter) {
        if (filter == null) {
            return RoomDirectory.Filter.NONE;
        }
        JsonValue search = filter.get("generic_search_term");
        if (search != null && search != JsonValue.NULL && !(search instanceof JsonString)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "filter.generic_search_term must be a string");
        }
        String term = search instanceof JsonString t ? t.getString() : null;
        JsonValue types = filter.get("room_types");
        if (types == null || types == JsonValue.NULL) {
            return new RoomDirectory.Filter(term, Optional.empty());
        }
        if (!(types instanceof JsonArray array)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "filter.room_types must be an array");
        }
        Set<Optional<String>> wanted = new HashSet<>();
        for (JsonValue v : array) {
            if (v == JsonValue.NULL) {
                wanted.add(Optional.empty());
            } else if (v instanceof JsonString s) {
                wanted.add(Optional.of(s.getString()));
            } else {
                throw new MatrixException(ErrorCode.BAD_JSON, "filter.room_types holds strings or null");
            }
        }
        return new RoomDirectory.Filter(term, Optional.of(Set.copyOf(wanted)));
    }

    /** Spec: the answer of {@code /publicRooms}, chunks and batch tokens. */
    public static JsonObject render(RoomDirectory.Page page) {
        JsonArrayBuilder chunk = Json.arrayBuilder();
        page.chunk().forEach(e -> chunk.add(chunkEntry(e.summary(), e.joinedMembers()).build()));
        JsonObjectBuilder out = Json.objectBuilder().add("chunk", chunk)
                .add("total_room_count_estimate", page.total());
        page.nextBatch().ifPresent(t -> out.add("next_batch", t));
        page.prevBatch().ifPresent(t -> out.add("prev_batch", t));
        return out.build();
    }

    /** A PublishedRoomsChunk (spec), also the base of a room summary. */
    public static JsonObjectBuilder chunkEntry(RoomSummary s, long joinedMembers) {
        JsonObjectBuilder o = Json.objectBuilder().add("room_id", s.roomId())
                .add("num_joined_members", joinedMembers)
                .add("world_readable", s.worldReadable())
                .add("guest_can_join", s.guestCanJoin())
                .add("join_rule", s.joinRule());
        s.name().ifPresent(v -> o.add("name", v));
        s.topic().ifPresent(v -> o.add("topic", v));
        s.canonicalAlias().ifPresent(v -> o.add("canonical_alias", v));
        s.avatarUrl().ifPresent(v -> o.add("avatar_url", v));
        s.roomType().ifPresent(v -> o.add("room_type", v));
        return o;
    }

}
