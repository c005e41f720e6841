package org.hearth.core.spaces;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Spec: Client-Server API, "Spaces" and {@code GET /hierarchy}: the rooms below a space, depth first along its
 * {@code m.space.child} events (those with a non-empty {@code via}), each listed when the user may see or join
 * it. Rooms this server is not in are asked of {@link RemoteRooms} (federation's {@code /hierarchy}); without it
 * they are left out. The same walk, one level deep, answers other servers ({@link #forServer}).
 */
public final class SpaceHierarchy {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 100;
    // Synapse's bound on max_depth; the walk also stops after MAX_ROOMS rooms, so a huge space costs a bounded walk.
    public static final int MAX_DEPTH = 50;
    static final int MAX_ROOMS = 2_000;
    static final String CHILD = "m.space.child";
    static final String SPACE = "m.space";

    /** Summaries of rooms this server is not in, from servers in the {@code via} of the child event. */
    @FunctionalInterface
    public interface RemoteRooms {
        RemoteRooms NONE = (user, room, via) -> Optional.empty();

        Optional<Room> summary(UserId user, RoomId room, List<String> via);
    }

    /**
     * One room of the hierarchy: its summary (room_summary.yaml, without {@code children_state}) and its
     * m.space.child events, stripped, with their {@code origin_server_ts}.
     */
    public record Room(String roomId, JsonObject summary, List<JsonObject> children) {
        /** The SpaceHierarchyRoomsChunk: the summary with {@code children_state}. */
        public JsonObject json() {
            var array = Json.arrayBuilder();
            children.forEach(array::add);
            return Json.objectBuilder(summary).add("children_state", array).build();
        }
    }

    /** A room as another server's {@code /hierarchy} described it; empty when the description is malformed. */
    public static Optional<Room> remoteRoom(JsonObject room) {
        if (!(room.get("room_id") instanceof JsonString id) || RoomId.tryParse(id.getString()).isEmpty()) {
            return Optional.empty();
        }
        List<JsonObject> children = new ArrayList<>();
        if (room.get("children_state") instanceof JsonArray state) {
            for (JsonValue v : state) {
                if (v instanceof JsonObject c && CHILD.equals(c.getString("type", null))
                        && c.get("content") instanceof JsonObject && c.get("state_key") instanceof JsonString) {
                    children.add(c);
                }
            }
        }
        var summary = Json.objectBuilder(room);
        summary.remove("children_state");
        return Optional.of(new Room(id.getString(), summary.build(), List.copyOf(children)));
    }

    /** Spec: the federation {@code /hierarchy} answer's parts. */
    public record ServerView(Room room, List<JsonObject> children, List<String> inaccessibleChildren) {}

    public record Page(List<Room> rooms, String nextBatch) {}

    private final RoomReader reader;
    private final RemoteRooms remote;

    public SpaceHierarchy(Rooms rooms, RemoteRooms remote) {
        this.reader = rooms.reader();
        this.remote = remote;
    }

    /**
     * One page of the hierarchy below {@code root}. {@code M_FORBIDDEN} when the user cannot see the root (or it
     * is unknown), {@code M_INVALID_PARAM} for a token that is not this server's or was made with other
     * parameters.
     */
    public Page hierarchy(UserId user, RoomId root, boolean suggestedOnly, int maxDepth, int limit, String from) {
        int offset = from == null ? 0 : offset(from, suggestedOnly, maxDepth);
        Optional<Room> rootRoom = local(user, root);
        if (rootRoom.isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You cannot view the room " + root.value());
        }
        List<Room> walked = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        // Depth first: a stack of (room, depth, via), children pushed in reverse so the first child comes next.
        record Entry(RoomId room, int depth, List<String> via) {}
        Deque<Entry> stack = new ArrayDeque<>();
        stack.push(new Entry(root, 0, List.of()));
        while (!stack.isEmpty() && walked.size() < MAX_ROOMS && walked.size() < offset + limit + 1) {
            Entry e = stack.pop();
            if (!seen.add(e.room().value())) {
                continue;
            }
            Optional<Room> room = e.depth() == 0 ? rootRoom : reader.version(e.room()).isPresent()
                    ? local(user, e.room()) : remote.summary(user, e.room(), e.via())
                            .filter(r -> remoteAccessible(user, r));
            if (room.isEmpty()) {
                continue;
            }
            List<JsonObject> children = suggested(room.get().children(), suggestedOnly);
            walked.add(new Room(room.get().roomId(), room.get().summary(), children));
            if (e.depth() < maxDepth) {
                for (JsonObject c : children.reversed()) {
                    RoomId.tryParse(c.getString("state_key", "")).ifPresent(child ->
                            stack.push(new Entry(child, e.depth() + 1, via(c.getJsonObject("content")))));
                }
            }
        }
        List<Room> page = walked.subList(Math.min(offset, walked.size()), Math.min(offset + limit, walked.size()));
        String next = walked.size() > offset + limit ? token(offset + limit, suggestedOnly, maxDepth) : null;
        return new Page(List.copyOf(page), next);
    }

    /** A room of this server if {@code user} may see it (space_hierarchy.yaml, rooms), else empty. */
    private Optional<Room> local(UserId user, RoomId room) {
        if (reader.version(room).isEmpty()) {
            return Optional.empty();
        }
        Map<StateKey, StoredEvent> state = reader.currentState(room);
        if (!accessible(user, room, state)) {
            return Optional.empty();
        }
        return Optional.of(room(room, state));
    }

    private Room room(RoomId room, Map<StateKey, StoredEvent> state) {
        long joined = reader.members(room).stream().filter(m -> m.membership().equals(Membership.JOIN)).count();
        List<StoredEvent> children = new ArrayList<>();
        // Spec: children_state "should be empty" for a room that is not a space; its children are not walked.
        boolean space = SPACE.equals(content(state, "m.room.create", "", "type"));
        state.forEach((k, e) -> {
            if (space && k.type().equals(CHILD) && RoomId.tryParse(k.stateKey()).isPresent()
                    && !via(e.pdu().content()).isEmpty()) {
                children.add(e);
            }
        });
        children.sort(CHILD_ORDER);
        List<JsonObject> stripped = children.stream().map(c -> Json.objectBuilder()
                .add("type", c.type())
                .add("state_key", c.stateKey().orElse(""))
                .add("content", c.pdu().content())
                .add("sender", c.sender())
                .add("origin_server_ts", c.pdu().originServerTs()).build()).toList();
        return new Room(room.value(), summary(room, state, joined,
                reader.version(room).map(RoomVersion::id).orElse(null)), stripped);
    }

    /** room_summary.yaml of a room this server has. */
    private static JsonObject summary(RoomId room, Map<StateKey, StoredEvent> state, long joined, String version) {
        JsonObjectBuilder out = Json.objectBuilder()
                .add("room_id", room.value())
                .add("num_joined_members", joined)
                .add("world_readable", "world_readable".equals(content(state, "m.room.history_visibility", "",
                        "history_visibility")))
                .add("guest_can_join", "can_join".equals(content(state, "m.room.guest_access", "", "guest_access")));
        putString(out, "name", content(state, "m.room.name", "", "name"));
        putString(out, "topic", content(state, "m.room.topic", "", "topic"));
        putString(out, "canonical_alias", content(state, "m.room.canonical_alias", "", "alias"));
        putString(out, "avatar_url", content(state, "m.room.avatar", "", "url"));
        putString(out, "join_rule", content(state, "m.room.join_rules", "", "join_rule"));
        putString(out, "room_type", content(state, "m.room.create", "", "type"));
        putString(out, "room_version", version);
        putString(out, "encryption", content(state, "m.room.encryption", "", "algorithm"));
        return out.build();
    }

    private static void putString(JsonObjectBuilder out, String key, String value) {
        if (value != null && !value.isEmpty()) {
            out.add(key, value);
        }
    }

    private static List<JsonObject> suggested(List<JsonObject> children, boolean suggestedOnly) {
        return children.stream().filter(c -> !suggestedOnly
                || c.get("content") instanceof JsonObject content && content.get("suggested") == JsonValue.TRUE).toList();
    }

    /**
     * Spec: Server-Server {@code /hierarchy}: the room and its children {@code origin} could peek or join; children
     * this server has that {@code origin} cannot reach are listed as inaccessible, unknown ones left out.
     * {@code M_NOT_FOUND} when the room is unknown or {@code origin} cannot reach it.
     */
    public ServerView forServer(String origin, RoomId root, boolean suggestedOnly) {
        Optional<Room> room = reader.version(root).isEmpty() ? Optional.empty()
                : Optional.of(reader.currentState(root)).filter(state -> serverAccessible(origin, root, state))
                        .map(state -> room(root, state));
        if (room.isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Room " + root.value() + " is not known or not reachable");
        }
        Room found = new Room(room.get().roomId(), room.get().summary(), suggested(room.get().children(), suggestedOnly));
        List<JsonObject> children = new ArrayList<>();
        List<String> inaccessible = new ArrayList<>();
        for (JsonObject c : found.children()) {
            Optional<RoomId> child = RoomId.tryParse(c.getString("state_key", ""));
            if (child.isEmpty() || reader.version(child.get()).isEmpty()) {
                continue;
            }
            Map<StateKey, StoredEvent> state = reader.currentState(child.get());
            if (serverAccessible(origin, child.get(), state)) {
                children.add(room(child.get(), state).summary());
            } else {
                inaccessible.add(child.get().value());
            }
        }
        return new ServerView(found, children, inaccessible);
    }

    /** As Synapse: world-readable, public or knock rooms, restricted ones the server has a member of an allowed room in, and rooms it is in. */
    private boolean serverAccessible(String origin, RoomId room, Map<StateKey, StoredEvent> state) {
        if ("world_readable".equals(content(state, "m.room.history_visibility", "", "history_visibility"))) {
            return true;
        }
        String joinRule = content(state, "m.room.join_rules", "", "join_rule");
        if ("public".equals(joinRule) || "knock".equals(joinRule) || "knock_restricted".equals(joinRule)) {
            return true;
        }
        if (hasMember(origin, room)) {
            return true;
        }
        if (("restricted".equals(joinRule) || "knock_restricted".equals(joinRule))
                && state.get(StateKey.of("m.room.join_rules", "")).pdu().content().get("allow") instanceof JsonArray allow) {
            for (JsonValue v : allow) {
                if (v instanceof JsonObject o && o.get("room_id") instanceof JsonString id
                        && RoomId.tryParse(id.getString()).map(r -> hasMember(origin, r)).orElse(false)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean hasMember(String server, RoomId room) {
        return reader.members(room).stream().anyMatch(m -> m.membership().equals(Membership.JOIN)
                && m.userId().endsWith(":" + server));
    }

    /** A room another server described: the user may see it when it is open to all or the user is in it. */
    private boolean remoteAccessible(UserId user, Room room) {
        JsonObject s = room.summary();
        String joinRule = s.getString("join_rule", "");
        if (s.getBoolean("world_readable", false) || joinRule.equals("public") || joinRule.equals("knock")
                || joinRule.equals("knock_restricted")) {
            return true;
        }
        return RoomId.tryParse(room.roomId()).flatMap(r -> reader.membership(r, user))
                .map(m -> m.membership().equals(Membership.JOIN) || m.membership().equals(Membership.INVITE))
                .orElse(false);
    }

    private boolean accessible(UserId user, RoomId room, Map<StateKey, StoredEvent> state) {
        String membership = content(state, "m.room.member", user.value(), "membership");
        if (Membership.JOIN.equals(membership) || Membership.INVITE.equals(membership)) {
            return true;
        }
        if (Membership.BAN.equals(membership)) {
            return false;
        }
        if ("world_readable".equals(content(state, "m.room.history_visibility", "", "history_visibility"))) {
            return true;
        }
        String joinRule = content(state, "m.room.join_rules", "", "join_rule");
        if (joinRule == null) {
            return false;
        }
        return switch (joinRule) {
            case "public", "knock", "knock_restricted" -> true;
            case "restricted" -> memberOfAllowed(user, state);
            default -> false;
        };
    }

    /** Spec, "Restricted rooms": the user is joined to one of the rooms of the join rule's allow list. */
    private boolean memberOfAllowed(UserId user, Map<StateKey, StoredEvent> state) {
        StoredEvent rules = state.get(StateKey.of("m.room.join_rules", ""));
        if (rules == null || !(rules.pdu().content().get("allow") instanceof JsonArray allow)) {
            return false;
        }
        for (JsonValue v : allow) {
            if (v instanceof JsonObject o && "m.room_membership".equals(o.getString("type", null))
                    && o.get("room_id") instanceof JsonString id) {
                Optional<RoomId> allowed = RoomId.tryParse(id.getString());
                if (allowed.isPresent() && reader.membership(allowed.get(), user)
                        .map(m -> m.membership().equals(Membership.JOIN)).orElse(false)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String content(Map<StateKey, StoredEvent> state, String type, String key, String field) {
        StoredEvent e = state.get(StateKey.of(type, key));
        return e != null && e.pdu().content().get(field) instanceof JsonString s ? s.getString() : null;
    }

    static List<String> via(JsonObject content) {
        if (!(content.get("via") instanceof JsonArray via)) {
            return List.of();
        }
        return via.stream().filter(v -> v instanceof JsonString).map(v -> ((JsonString) v).getString()).toList();
    }

    /** Spec, "Ordering of children within a space": valid order keys first, then timestamps, then room IDs. */
    static final Comparator<StoredEvent> CHILD_ORDER = Comparator
            .comparing((StoredEvent e) -> order(e) == null ? 1 : 0)
            .thenComparing(e -> order(e) == null ? "" : order(e))
            .thenComparingLong(e -> e.pdu().originServerTs())
            .thenComparing(e -> e.stateKey().orElse(""));

    private static String order(StoredEvent e) {
        if (!(e.pdu().content().get("order") instanceof JsonString s) || s.getString().length() > 50) {
            return null;
        }
        for (char c : s.getString().toCharArray()) {
            if (c < 0x20 || c > 0x7E) {
                return null;
            }
        }
        return s.getString();
    }

    // The token carries the parameters it was made with: the spec forbids changing them while paginating.
    private static String token(int offset, boolean suggestedOnly, int maxDepth) {
        return "h" + offset + "_" + (suggestedOnly ? 1 : 0) + "_" + maxDepth;
    }

    private static int offset(String token, boolean suggestedOnly, int maxDepth) {
        String[] parts = token.startsWith("h") ? token.substring(1).split("_") : new String[0];
        try {
            if (parts.length == 3 && Integer.parseInt(parts[1]) == (suggestedOnly ? 1 : 0)
                    && Integer.parseInt(parts[2]) == maxDepth) {
                int offset = Integer.parseInt(parts[0]);
                if (offset >= 0) {
                    return offset;
                }
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "Unknown from token, or suggested_only or max_depth "
                + "changed since it was made");
    }
}
