package org.hearth.spec.stateres;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.EventIdFormat;
import org.hearth.spec.room.RoomVersion;

/**
 * Builds rooms for state resolution tests: events with auth events chosen by "Auth events selection" from
 * the state of the fork they are sent on. Also used by {@link ForkedRoomFixture}.
 */
final class TestRoom {
    final RoomVersion version;
    final Map<String, Pdu> events = new HashMap<>();
    private String roomId;
    private long clock = 1_000;
    private int counter;

    TestRoom(RoomVersion version) {
        this.version = version;
        this.roomId = "!room:example.org";
    }

    /** Sends the create event (ID {@code $create}) and returns the fork holding it. */
    Fork create(String creator) {
        return create(creator, Json.createObjectBuilder().build());
    }

    Fork create(String creator, JsonObject extraContent) {
        JsonObjectBuilder content = Json.createObjectBuilder(extraContent).add("room_version", version.id());
        if (!version.implicitRoomCreator()) {
            content.add("creator", creator);
        }
        if (version.roomIdFromCreateEvent()) {
            roomId = "!create"; // v12: the room ID is the create event's ID with sigil "!"
        }
        Fork f = new Fork(new LinkedHashMap<>(), 0, null);
        f.named("$create").send("m.room.create", "", creator, content.build());
        return f;
    }

    Map<StateKey, Pdu> resolvedEvents(Map<StateKey, String> state) {
        Map<StateKey, Pdu> out = new HashMap<>();
        state.forEach((k, id) -> out.put(k, events.get(id)));
        return out;
    }

    /** One line of history: its state, depth and latest event. */
    final class Fork {
        final Map<StateKey, String> state;
        private long depth;
        private String last;
        private String nextId;
        private Long nextTs;

        private Fork(Map<StateKey, String> state, long depth, String last) {
            this.state = state;
            this.depth = depth;
            this.last = last;
        }

        /** A new fork continuing from this one's latest event. */
        Fork branch() {
            return new Fork(new LinkedHashMap<>(state), depth, last);
        }

        /** The next event gets this ID. */
        Fork named(String id) {
            nextId = id;
            return this;
        }

        /** The next event gets this origin_server_ts. */
        Fork at(long ts) {
            nextTs = ts;
            return this;
        }

        String send(String type, String stateKey, String sender, JsonObject content) {
            String id = nextId != null ? nextId : "$e" + (++counter);
            long ts = nextTs != null ? nextTs : clock++;
            nextId = null;
            nextTs = null;
            boolean create = "m.room.create".equals(type);
            JsonObjectBuilder b = Json.createObjectBuilder()
                    .add("type", type).add("state_key", stateKey).add("sender", sender)
                    .add("content", content).add("origin_server_ts", ts).add("depth", depth + 1);
            if (!(create && version.roomIdFromCreateEvent())) {
                b.add("room_id", roomId);
            }
            Pdu draft = new Pdu(id, b.build());
            JsonArrayBuilder auth = Json.createArrayBuilder();
            if (!create) {
                for (StateKey k : AuthStateSelection.requiredKeys(version, draft)) {
                    if (k.equals(AuthStateSelection.CREATE) && version.roomIdFromCreateEvent()) {
                        continue; // v12: the create event is never an auth event
                    }
                    String a = state.get(k);
                    if (a != null) {
                        ref(auth, a);
                    }
                }
            }
            JsonArrayBuilder prev = Json.createArrayBuilder();
            if (last != null) {
                ref(prev, last);
            }
            b = Json.createObjectBuilder(draft.json()).add("auth_events", auth).add("prev_events", prev);
            if (version.eventIds() == EventIdFormat.SERVER_CHOSEN) {
                b.add("event_id", id);
            }
            Pdu pdu = new Pdu(id, b.build());
            if (events.putIfAbsent(id, pdu) != null) {
                throw new IllegalArgumentException("duplicate event ID " + id);
            }
            state.put(new StateKey(type, stateKey), id);
            depth++;
            last = id;
            return id;
        }

        private void ref(JsonArrayBuilder array, String id) {
            if (version.eventIds() == EventIdFormat.SERVER_CHOSEN) {
                array.add(Json.createArrayBuilder().add(id).add(Json.createObjectBuilder().add("sha256", "x")));
            } else {
                array.add(id);
            }
        }

        String member(String sender, String target, String membership) {
            return send("m.room.member", target, sender, Json.createObjectBuilder().add("membership", membership).build());
        }

        String join(String user) {
            return member(user, user, "join");
        }

        String powerLevels(String sender, Map<String, Integer> users) {
            JsonObjectBuilder u = Json.createObjectBuilder();
            users.forEach(u::add);
            return send("m.room.power_levels", "", sender, Json.createObjectBuilder().add("users", u).build());
        }

        String joinRules(String sender, String rule) {
            return send("m.room.join_rules", "", sender, Json.createObjectBuilder().add("join_rule", rule).build());
        }

        String topic(String sender, String topic) {
            return send("m.room.topic", "", sender, Json.createObjectBuilder().add("topic", topic).build());
        }

        String id(StateKey key) {
            return state.get(key);
        }
    }

    static StateKey member(String user) {
        return StateKey.of("m.room.member", user);
    }

    static final StateKey POWER_LEVELS = AuthStateSelection.POWER_LEVELS;
    static final StateKey JOIN_RULES = AuthStateSelection.JOIN_RULES;
    static final StateKey TOPIC = StateKey.of("m.room.topic", "");

    static List<Map<StateKey, String>> sets(Fork... forks) {
        return java.util.Arrays.stream(forks).map(f -> (Map<StateKey, String>) new HashMap<>(f.state)).toList();
    }
}
