package org.hearth.core.directory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.room.RoomReader;
import org.hearth.core.storage.Database;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;

/**
 * Room summaries from current state. A state group never changes, so a summary is cached by the room's current
 * state group: listing the directory reads state only for rooms whose state changed since.
 */
public final class RoomSummaries {
    private final Database database;
    private final RoomReader reader;
    private final Cache<Long, Cached> byStateGroup = Caffeine.newBuilder().maximumSize(100_000).build();
    // Every join or leave is a state event, so a state group also fixes the joined member count.
    private final Cache<Long, Long> joinedByStateGroup = Caffeine.newBuilder().maximumSize(100_000).build();

    public RoomSummaries(Database database, RoomReader reader) {
        this.database = database;
        this.reader = reader;
    }

    /** How many members are joined to {@code room}, whose current state group is {@code stateGroup}. */
    long joinedMembers(RoomId room, long stateGroup) {
        return joinedByStateGroup.get(stateGroup, g -> database.execute().createNamedGet("directory-joined-count")
                .params(Map.of("room_id", room.value())).execute()
                .map(r -> ((Number) r.column("n").get()).longValue()).orElse(0L));
    }

    /** The joined member count of a known room's current state; 0 for an unknown room. */
    public long joinedMembers(RoomId room) {
        return reader.room(room).map(info -> joinedMembers(room, info.currentStateGroup())).orElse(0L);
    }

    /** The summary of a known room's current state; empty for an unknown room. */
    public Optional<RoomSummary> current(RoomId room) {
        return reader.room(room).map(info -> at(room, info.currentStateGroup()));
    }

    /** A summary and the state events it shows, which a redaction can empty without changing the state group. */
    private record Cached(RoomSummary summary, List<String> shown) {}

    /** The summary of {@code room} at {@code stateGroup}, which must be its current state group. */
    RoomSummary at(RoomId room, long stateGroup) {
        Cached cached = byStateGroup.getIfPresent(stateGroup);
        if (cached != null && cached.shown().stream()
                .noneMatch(id -> reader.event(id).map(e -> e.isRedacted()).orElse(false))) {
            return cached.summary();
        }
        Map<StateKey, String> state = reader.currentStateIds(room);
        RoomSummary summary = read(room, state);
        List<String> shown = new ArrayList<>();
        for (String type : SHOWN) {
            String id = state.get(StateKey.of(type, ""));
            if (id != null) {
                shown.add(id);
            }
        }
        byStateGroup.put(stateGroup, new Cached(summary, List.copyOf(shown)));
        return summary;
    }

    // The state a summary shows whose content a redaction removes (join rules, history visibility and the create
    // event keep theirs).
    private static final List<String> SHOWN = List.of("m.room.name", "m.room.topic", "m.room.canonical_alias",
            "m.room.avatar", "m.room.guest_access", "m.room.encryption");

    private RoomSummary read(RoomId room, Map<StateKey, String> state) {
        JsonObject create = content(state, "m.room.create");
        String version = create.getString("room_version", "1");
        JsonObject joinRules = content(state, "m.room.join_rules");
        List<String> allowed = new ArrayList<>();
        if (joinRules.get("allow") instanceof JsonArray allow) {
            for (JsonValue v : allow) {
                if (v instanceof JsonObject o && "m.room_membership".equals(o.getString("type", null))
                        && o.get("room_id") instanceof JsonString id) {
                    allowed.add(id.getString());
                }
            }
        }
        String joinRule = joinRules.getString("join_rule", "invite");
        return new RoomSummary(room.value(), version,
                string(content(state, "m.room.name"), "name"),
                topic(content(state, "m.room.topic")),
                string(content(state, "m.room.canonical_alias"), "alias"),
                string(content(state, "m.room.avatar"), "url"),
                string(create, "type"),
                string(content(state, "m.room.encryption"), "algorithm"),
                joinRule,
                content(state, "m.room.history_visibility").getString("history_visibility", "shared"),
                "can_join".equals(content(state, "m.room.guest_access").getString("guest_access", "forbidden")),
                joinRule.equals("restricted") || joinRule.equals("knock_restricted") ? List.copyOf(allowed) : List.of());
    }

    private JsonObject content(Map<StateKey, String> state, String type) {
        String id = state.get(StateKey.of(type, ""));
        if (id == null) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        return reader.event(id).filter(e -> !e.isRedacted()).map(e -> e.pdu().content())
                .orElse(JsonValue.EMPTY_JSON_OBJECT);
    }

    private static Optional<String> string(JsonObject content, String key) {
        return content.get(key) instanceof JsonString s && !s.getString().isEmpty()
                ? Optional.of(s.getString()) : Optional.empty();
    }

    /** The plain-text topic: {@code topic}, or the text/plain entry of {@code m.topic} (spec: m.room.topic). */
    private static Optional<String> topic(JsonObject content) {
        if (content.get("m.topic") instanceof JsonObject rich && rich.get("m.text") instanceof JsonArray texts) {
            for (JsonValue v : texts) {
                if (v instanceof JsonObject t && "text/plain".equals(t.getString("mimetype", "text/plain"))
                        && t.get("body") instanceof JsonString body) {
                    return Optional.of(body.getString());
                }
            }
        }
        return content.get("topic") instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }
}
