package org.hearth.spec.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/** A room under construction for auth rule tests: its version, state, and a builder for events in it. */
final class TestRoom {
    static final String ALICE = "@alice:a.org";
    static final String BOB = "@bob:b.org";
    static final String CAROL = "@carol:c.org";

    final RoomVersion version;
    final Map<StateKey, Pdu> state = new HashMap<>();
    final Pdu create;
    final String roomId;
    private int counter;

    private TestRoom(RoomVersion version, Pdu create, String roomId) {
        this.version = version;
        this.create = create;
        this.roomId = roomId;
        state.put(StateKey.of("m.room.create", ""), create);
    }

    /** A room whose create event {@code creator} sent, nothing else in its state. */
    static TestRoom created(RoomVersion version, String creator, String... additionalCreators) {
        JsonObjectBuilder content = Json.createObjectBuilder().add("room_version", version.id());
        if (!version.implicitRoomCreator()) {
            content.add("creator", creator);
        }
        if (additionalCreators.length > 0) {
            JsonArrayBuilder extra = Json.createArrayBuilder();
            for (String c : additionalCreators) {
                extra.add(c);
            }
            content.add("additional_creators", extra);
        }
        Event create = new Event("m.room.create", null).stateKey("").sender(creator).content(content.build());
        if (version.roomIdFromCreateEvent()) {
            Pdu pdu = create.build("$create");
            return new TestRoom(version, pdu, "!create");
        }
        String roomId = "!room:" + AuthRules.domain(creator);
        return new TestRoom(version, create.room(roomId).build("$create:" + AuthRules.domain(creator)), roomId);
    }

    /**
     * Alice created and joined; power levels give her 100 (v12: she is the creator, not listed);
     * join rule {@code joinRule}.
     */
    static TestRoom standard(RoomVersion version, String joinRule) {
        TestRoom room = created(version, ALICE);
        room.put(room.member(ALICE, ALICE, "join").prev(room.create.eventId()).build());
        JsonObjectBuilder users = Json.createObjectBuilder();
        if (!version.privilegedCreators()) {
            users.add(ALICE, 100);
        }
        room.put(room.state("m.room.power_levels", "", ALICE,
                Json.createObjectBuilder().add("users", users).build()).build());
        room.put(room.state("m.room.join_rules", "", ALICE, obj("join_rule", joinRule)).build());
        return room;
    }

    Event event(String type, String sender, JsonObject content) {
        return new Event(type, this).sender(sender).room(roomId).content(content).prev("$prev");
    }

    Event state(String type, String stateKey, String sender, JsonObject content) {
        return event(type, sender, content).stateKey(stateKey);
    }

    Event member(String sender, String target, String membership) {
        return state("m.room.member", target, sender, obj("membership", membership));
    }

    /** Puts an event in the state without checking it. */
    TestRoom put(Pdu event) {
        state.put(event.stateTuple().orElseThrow(), event);
        return this;
    }

    TestRoom setMembership(String user, String membership) {
        return put(member(user, user, membership).build());
    }

    TestRoom setPowerLevels(JsonObject content) {
        return put(state("m.room.power_levels", "", ALICE, content).build());
    }

    AuthResult check(Pdu event) {
        return AuthRules.check(version, event, state);
    }

    void assertAllowed(Pdu event) {
        assertEquals(AuthResult.ALLOWED, check(event), () -> event.json().toString());
    }

    void assertRejected(Pdu event) {
        AuthResult result = check(event);
        assertEquals(AuthResult.Rejected.class, result.getClass(), () -> event.json().toString());
    }

    String nextId() {
        return "$e" + (++counter) + ":a.org";
    }

    static JsonObject obj(String key, String value) {
        return Json.createObjectBuilder().add(key, value).build();
    }

    static JsonObject parse(String json) {
        try (var reader = Json.createReader(new java.io.StringReader(json.replace('\'', '"')))) {
            return reader.readObject();
        }
    }

    /** Builds an event's JSON field by field. */
    static final class Event {
        private final TestRoom room;
        private final JsonObjectBuilder json = Json.createObjectBuilder();
        private final List<String> prev = new ArrayList<>();
        private final List<String> auth = new ArrayList<>();

        Event(String type, TestRoom room) {
            this.room = room;
            json.add("type", type);
        }

        Event sender(String sender) {
            json.add("sender", sender);
            return this;
        }

        Event stateKey(String stateKey) {
            json.add("state_key", stateKey);
            return this;
        }

        Event room(String roomId) {
            json.add("room_id", roomId);
            return this;
        }

        Event content(JsonObject content) {
            json.add("content", content);
            return this;
        }

        Event prev(String... ids) {
            prev.clear();
            prev.addAll(List.of(ids));
            return this;
        }

        Event auth(String... ids) {
            auth.addAll(List.of(ids));
            return this;
        }

        Event set(String key, JsonValue value) {
            json.add(key, value);
            return this;
        }

        Event set(String key, String value) {
            json.add(key, value);
            return this;
        }

        Pdu build() {
            return build(room == null ? "$x" : room.nextId());
        }

        Pdu build(String eventId) {
            JsonArrayBuilder prevs = Json.createArrayBuilder();
            prev.forEach(prevs::add);
            JsonArrayBuilder auths = Json.createArrayBuilder();
            auth.forEach(auths::add);
            json.add("prev_events", prevs).add("auth_events", auths)
                    .add("origin_server_ts", 1).add("depth", 1);
            return new Pdu(eventId, json.build());
        }
    }
}
