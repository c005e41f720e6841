package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hearth joins rooms of a {@link FakeResidentServer} that tampers with its make_join and send_join answers. Spec:
 * "Checks performed on receipt of a PDU" and "Joining Rooms": a state or auth chain event with a bad signature, or
 * failing auth against its auth events (or missing one), is dropped and the join goes on; one whose content hash
 * does not match is kept redacted; an invalid create event, a room version that contradicts make_join, an unknown
 * room version or a returned join event other than ours refuse the join (nothing of the room stored). Never a 500.
 */
class RemoteJoinProofsIT {
    @RegisterExtension
    static final TestServer hearth = TestServer.federatingOnLoopback();

    private static FakeResidentServer fake;

    @BeforeAll
    static void startFake() {
        fake = FakeResidentServer.start();
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @AfterEach
    void untamper() {
        fake.sendJoinAnswer = UnaryOperator.identity();
        fake.makeJoinVersion = null;
    }

    @Test
    void anUntamperedRoomIsJoined() {
        var room = roomWithTopic("all is well");
        var bob = hearth.register("okbob");
        join(bob, room).assertStatus(200);
        assertEquals("all is well", state(room, "m.room.topic").pdu().content().getString("topic"));
        assertEquals("join", state(room, "m.room.member", bob.userId()).pdu().content().getString("membership"));
        assertEquals(1, fake.joinsReceived.stream().filter(j -> bob.userId().equals(j.getString("state_key"))).count());
    }

    @Test
    void aStateEventWithABadSignatureIsDroppedAndTheJoinGoesOn() {
        var room = roomWithTopic("signed by someone else");
        Pdu topic = room.stateEvent("m.room.topic", "");
        // Same key ID, another key: the signature does not verify.
        SigningKey impostor = new SigningKey(fake.key().keyId(), SigningKey.generate("x").seed());
        fake.sendJoinAnswer = answer -> both(answer, e -> topic.eventId().equals(id(room, e)),
                e -> org.hearth.spec.event.EventSigning.sign(room.version, Json.objectBuilder(e).remove("signatures")
                        .build(), fake.serverName(), impostor));
        var bob = hearth.register("sigbob");
        join(bob, room).assertStatus(200);
        assertTrue(hearth.server().rooms().reader().event(topic.eventId()).isEmpty(), "the forged event is not stored");
        assertFalse(stateOf(room).containsKey(StateKey.of("m.room.topic", "")));
        assertEquals("join", state(room, "m.room.member", bob.userId()).pdu().content().getString("membership"));
    }

    @Test
    void aStateEventWhoseContentHashMismatchesIsKeptRedacted() {
        var room = roomWithTopic("the real topic");
        Pdu topic = room.stateEvent("m.room.topic", "");
        // The topic is not covered by the signature (redacted form) but is by the content hash.
        fake.sendJoinAnswer = answer -> both(answer, e -> topic.eventId().equals(id(room, e)),
                e -> Json.objectBuilder(e).add("content", Json.objectBuilder().add("topic", "tampered")).build());
        var bob = hearth.register("hashbob");
        join(bob, room).assertStatus(200);
        var stored = hearth.server().rooms().reader().event(topic.eventId()).orElseThrow();
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, stored.pdu().content(), stored.pdu().json().toString());
        assertEquals(topic.eventId(), state(room, "m.room.topic").eventId());
        String seen = bob.get("/_matrix/client/v3/rooms/" + enc(room.roomId) + "/state").assertStatus(200).body();
        assertFalse(seen.contains("tampered") || seen.contains("the real topic"), seen);
    }

    @Test
    void eventsMissingAnAuthEventOrFailingAuthAreDroppedAndTheJoinGoesOn() {
        var room = fake.newRoom(RoomVersion.V10, "10");
        String dan = fake.userId("dan");
        Pdu danJoin = room.add("m.room.member", dan, dan, Json.objectBuilder().add("membership", "join").build());
        Pdu name = room.add("m.room.name", "", dan, Json.objectBuilder().add("name", "dan's name").build());
        // Mallory never joined: his topic fails auth against its own auth events.
        String mallory = fake.userId("mallory");
        JsonObject forged = room.template("m.room.topic", "", mallory, Json.objectBuilder().add("topic", "mallory's")
                .build());
        Pdu topic = room.append(fake.sign(room.version, forged));
        // Dan's join is left out of state and auth chain: his name event's auth event is missing.
        fake.sendJoinAnswer = answer -> both(answer, e -> danJoin.eventId().equals(id(room, e)), e -> null);
        var bob = hearth.register("authbob");
        join(bob, room).assertStatus(200);
        var reader = hearth.server().rooms().reader();
        assertTrue(reader.event(name.eventId()).isEmpty(), "an event missing an auth event is not stored");
        assertTrue(reader.event(topic.eventId()).isEmpty(), "an event failing auth is not stored");
        var state = stateOf(room);
        assertFalse(state.containsKey(StateKey.of("m.room.name", "")) || state.containsKey(StateKey.of("m.room.topic", "")),
                state.toString());
        assertEquals("join", state(room, "m.room.member", bob.userId()).pdu().content().getString("membership"));
    }

    @Test
    void aCreateEventWithABadSignatureRefusesTheJoin() {
        var room = roomWithTopic("unreachable");
        Pdu create = room.stateEvent("m.room.create", "");
        SigningKey impostor = new SigningKey(fake.key().keyId(), SigningKey.generate("x").seed());
        fake.sendJoinAnswer = answer -> both(answer, e -> create.eventId().equals(id(room, e)),
                e -> org.hearth.spec.event.EventSigning.sign(room.version, Json.objectBuilder(e).remove("signatures")
                        .build(), fake.serverName(), impostor));
        var bob = hearth.register("createbob");
        join(bob, room).assertError(502, "M_BAD_STATUS");
        assertNothingStored(room, bob);
    }

    @Test
    void aCreateEventOfAnotherRoomVersionThanMakeJoinSaidRefusesTheJoin() {
        var room = fake.newRoom(RoomVersion.V10, "9");
        var bob = hearth.register("versionbob");
        join(bob, room).assertError(502, "M_BAD_STATUS");
        assertNothingStored(room, bob);
    }

    @Test
    void anUnknownRoomVersionInMakeJoinRefusesTheJoin() {
        var room = fake.newRoom(RoomVersion.V10, "10");
        fake.makeJoinVersion = "org.example.unknown";
        var bob = hearth.register("unknownbob");
        join(bob, room).assertError(400, "M_INCOMPATIBLE_ROOM_VERSION");
        assertNothingStored(room, bob);
    }

    @Test
    void aSendJoinAnswerWithAnotherJoinEventRefusesTheJoin() {
        var room = fake.newRoom(RoomVersion.V10, "10");
        fake.sendJoinAnswer = answer -> {
            JsonObject ours = fake.joinsReceived.getLast();
            // The resident "co-signs" a join of its own making: other content, so another event ID.
            // Signed by both servers (so only its ID tells it from ours).
            JsonObject other = org.hearth.spec.event.EventSigning.sign(room.version, fake.sign(room.version,
                    Json.objectBuilder(ours).remove("signatures").remove("hashes").add("content", Json.objectBuilder()
                            .add("membership", "join").add("displayname", "not me")).build()),
                    hearth.serverName(), hearthKey());
            assertTrue(!id(room, other).equals(id(room, ours)));
            return Json.objectBuilder(answer).add("event", other).build();
        };
        var bob = hearth.register("otherbob");
        join(bob, room).assertError(502, "M_BAD_STATUS");
        assertNothingStored(room, bob);
    }

    @Test
    void aSendJoinAnswerWithOurJoinCoSignedIsUsed() {
        var room = fake.newRoom(RoomVersion.V10, "10");
        fake.sendJoinAnswer = answer -> Json.objectBuilder(answer).add("event", org.hearth.spec.event.EventSigning.sign(
                room.version, fake.joinsReceived.getLast(), fake.serverName(), fake.key())).build();
        var bob = hearth.register("cosignedbob");
        join(bob, room).assertStatus(200);
        JsonObject signatures = state(room, "m.room.member", bob.userId()).pdu().json().getJsonObject("signatures");
        assertTrue(signatures.containsKey(fake.serverName()) && signatures.containsKey(hearth.serverName()),
                signatures.toString());
    }

    private static SigningKey hearthKey() {
        try {
            return org.hearth.spec.crypto.SigningKeyFile.read(java.nio.file.Files.readString(
                    hearth.dataDir().resolve(hearth.serverName() + ".signing.key"))).getFirst();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static FakeResidentServer.Room roomWithTopic(String topic) {
        var room = fake.newRoom(RoomVersion.V10, "10");
        room.add("m.room.topic", "", fake.userId("carol"), Json.objectBuilder().add("topic", topic).build());
        return room;
    }

    private static TestServer.Response join(TestServer.User user, FakeResidentServer.Room room) {
        return user.post("/_matrix/client/v3/join/" + enc(room.roomId) + "?server_name=" + enc(fake.serverName()),
                JsonValue.EMPTY_JSON_OBJECT);
    }

    private static void assertNothingStored(FakeResidentServer.Room room, TestServer.User user) {
        var reader = hearth.server().rooms().reader();
        assertTrue(reader.version(RoomId.parse(room.roomId)).isEmpty(), "the room is not stored");
        for (Pdu p : room.events) {
            assertTrue(reader.event(p.eventId()).isEmpty(), p.type() + " stored");
        }
        String joined = user.get("/_matrix/client/v3/joined_rooms").assertStatus(200).json().toString();
        assertFalse(joined.contains(room.roomId), joined);
    }

    /** {@code answer} with {@code change} applied to the matching events of its state and auth chain. */
    private static JsonObject both(JsonObject answer, java.util.function.Predicate<JsonObject> which,
                                   UnaryOperator<JsonObject> change) {
        return FakeResidentServer.mapEvents(FakeResidentServer.mapEvents(answer, "state", which, change),
                "auth_chain", which, change);
    }

    private static String id(FakeResidentServer.Room room, JsonObject event) {
        return org.hearth.spec.event.EventIds.compute(room.version, event);
    }

    private static java.util.Map<StateKey, org.hearth.core.room.StoredEvent> stateOf(FakeResidentServer.Room room) {
        return hearth.server().rooms().reader().currentState(RoomId.parse(room.roomId));
    }

    private static org.hearth.core.room.StoredEvent state(FakeResidentServer.Room room, String type) {
        return state(room, type, "");
    }

    private static org.hearth.core.room.StoredEvent state(FakeResidentServer.Room room, String type, String key) {
        var e = stateOf(room).get(StateKey.of(type, key));
        if (e == null) {
            throw new AssertionError("no " + type + " " + key + " in " + stateOf(room).keySet());
        }
        return e;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
