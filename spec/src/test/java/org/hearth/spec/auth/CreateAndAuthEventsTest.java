package org.hearth.spec.auth;

import static org.hearth.spec.auth.TestRoom.ALICE;
import static org.hearth.spec.auth.TestRoom.BOB;
import static org.hearth.spec.auth.TestRoom.obj;
import static org.hearth.spec.auth.TestRoom.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class CreateAndAuthEventsTest {
    static final List<RoomVersion> ALL = RoomVersion.ALL;
    static final List<RoomVersion> UP_TO_11 = RoomVersion.ALL.subList(0, 11);

    private static TestRoom.Event createEvent(RoomVersion version, String content) {
        var e = new TestRoom.Event("m.room.create", null).stateKey("").sender(ALICE).content(parse(content));
        return version.roomIdFromCreateEvent() ? e : e.room("!r:a.org");
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void createIsAllowedWithValidContent(RoomVersion version) {
        var e = createEvent(version, "{'creator':'" + ALICE + "','room_version':'" + version.id() + "'}");
        assertEquals(AuthResult.ALLOWED, AuthRules.check(version, e.build(), Map.of()));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void createWithPrevEventsIsRejected(RoomVersion version) {
        var e = createEvent(version, "{'creator':'" + ALICE + "'}").prev("$earlier");
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.check(version, e.build(), Map.of()));
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void createWithUnknownRoomVersionIsRejected(RoomVersion version) {
        var e = createEvent(version, "{'creator':'" + ALICE + "','room_version':'13'}");
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.check(version, e.build(), Map.of()));
    }

    @ParameterizedTest
    @FieldSource("UP_TO_11")
    void createRoomIdDomainMustBeSenderDomain(RoomVersion version) {
        var e = new TestRoom.Event("m.room.create", null).stateKey("").sender(ALICE).room("!r:b.org")
                .content(obj("creator", ALICE));
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.check(version, e.build(), Map.of()));
    }

    @Test
    void createNeedsCreatorUntilV10Only() {
        var v10 = createEvent(RoomVersion.V10, "{}");
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.check(RoomVersion.V10, v10.build(), Map.of()));
        var v11 = createEvent(RoomVersion.V11, "{}");
        assertEquals(AuthResult.ALLOWED, AuthRules.check(RoomVersion.V11, v11.build(), Map.of()));
    }

    @Test
    void v12CreateWithRoomIdIsRejected() {
        var e = createEvent(RoomVersion.V12, "{}").room("!r:a.org");
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.check(RoomVersion.V12, e.build(), Map.of()));
    }

    @Test
    void v12AdditionalCreatorsMustBeAnArrayOfUserIds() {
        for (String bad : List.of("'@bob:b.org'", "['bob']", "[1]", "['@bob:b org']", "['@bob']")) {
            var e = createEvent(RoomVersion.V12, "{'additional_creators':" + bad + "}");
            assertInstanceOf(AuthResult.Rejected.class, AuthRules.check(RoomVersion.V12, e.build(), Map.of()), bad);
        }
        var ok = createEvent(RoomVersion.V12, "{'additional_creators':['@bob:b.org','@Old_Style:c.org:8448']}");
        assertEquals(AuthResult.ALLOWED, AuthRules.check(RoomVersion.V12, ok.build(), Map.of()));
        // before v12 additional_creators means nothing
        var v11 = createEvent(RoomVersion.V11, "{'additional_creators':'x'}");
        assertEquals(AuthResult.ALLOWED, AuthRules.check(RoomVersion.V11, v11.build(), Map.of()));
    }

    @ParameterizedTest
    @FieldSource("UP_TO_11")
    void eventWithoutCreateInAuthStateIsRejected(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.state.remove(StateKey.of("m.room.create", ""));
        room.assertRejected(room.event("m.room.message", ALICE, obj("body", "hi")).build());
    }

    @Test
    void v12RoomIdMustBeTheCreateEventId() {
        TestRoom room = TestRoom.standard(RoomVersion.V12, "public");
        room.assertAllowed(room.event("m.room.message", ALICE, obj("body", "hi")).build());
        room.assertRejected(room.event("m.room.message", ALICE, obj("body", "hi")).room("!other").build());
        room.state.remove(StateKey.of("m.room.create", ""));
        room.assertRejected(room.event("m.room.message", ALICE, obj("body", "hi")).build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void authEventFromAnotherRoomIsRejected(RoomVersion version) {
        TestRoom room = TestRoom.standard(version, "public");
        room.put(room.member(ALICE, ALICE, "join").room("!elsewhere:a.org").build());
        room.assertRejected(room.event("m.room.message", ALICE, obj("body", "hi")).build());
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void federateFalseRejectsOtherServers(RoomVersion version) {
        TestRoom room = TestRoom.created(version, ALICE);
        Pdu create = room.create;
        var content = Json.createObjectBuilder(create.content()).add("m.federate", false).build();
        Pdu noFederate = new Pdu(create.eventId(), Json.createObjectBuilder(create.json()).add("content", content).build());
        room.put(noFederate);
        room.put(room.state("m.room.join_rules", "", ALICE, obj("join_rule", "public")).build());
        room.assertRejected(room.member(BOB, BOB, "join").build());
        room.assertAllowed(room.member("@alice2:a.org", "@alice2:a.org", "join").build());
    }

    @Test
    void authEventTypesFollowTheSelectionAlgorithm() {
        TestRoom room = TestRoom.standard(RoomVersion.V8, "restricted");
        Pdu join = room.member(BOB, BOB, "join").content(parse(
                "{'membership':'join','join_authorised_via_users_server':'@alice:a.org'}")).build();
        assertEquals(Set.of(StateKey.of("m.room.create", ""), StateKey.of("m.room.power_levels", ""),
                        StateKey.of("m.room.member", BOB), StateKey.of("m.room.join_rules", ""),
                        StateKey.of("m.room.member", ALICE)),
                AuthRules.authEventTypes(RoomVersion.V8, join));
        // v7 has no restricted rooms, so the authorising user's membership is not selected
        assertFalse(AuthRules.authEventTypes(RoomVersion.V7, join).contains(StateKey.of("m.room.member", ALICE)));
        // v12 never selects the create event
        assertFalse(AuthRules.authEventTypes(RoomVersion.V12, join).contains(StateKey.of("m.room.create", "")));
        Pdu invite = room.member(ALICE, BOB, "invite").content(parse(
                "{'membership':'invite','third_party_invite':{'signed':{'token':'tok','mxid':'@bob:b.org'}}}")).build();
        assertTrue(AuthRules.authEventTypes(RoomVersion.V8, invite).contains(StateKey.of("m.room.third_party_invite", "tok")));
        Pdu leave = room.member(ALICE, BOB, "leave").build();
        assertFalse(AuthRules.authEventTypes(RoomVersion.V8, leave).contains(StateKey.of("m.room.join_rules", "")));
        assertEquals(Set.of(), AuthRules.authEventTypes(RoomVersion.V8, room.create));
    }

    private static Pdu withAuth(TestRoom room, Pdu... authEvents) {
        var e = room.event("m.room.message", ALICE, obj("body", "hi"));
        for (Pdu a : authEvents) {
            e.auth(a.eventId());
        }
        return e.build();
    }

    @Test
    void checkAuthEventsAcceptsTheSelectedEvents() {
        TestRoom room = TestRoom.standard(RoomVersion.V10, "public");
        Pdu pl = room.state.get(StateKey.of("m.room.power_levels", ""));
        Pdu member = room.state.get(StateKey.of("m.room.member", ALICE));
        Pdu event = withAuth(room, room.create, pl, member);
        assertEquals(AuthResult.ALLOWED, AuthRules.checkAuthEvents(RoomVersion.V10, event, List.of(room.create, pl, member)));
    }

    @Test
    void checkAuthEventsRejectsDuplicatesUnselectedAndMissingCreate() {
        TestRoom room = TestRoom.standard(RoomVersion.V10, "public");
        Pdu pl = room.state.get(StateKey.of("m.room.power_levels", ""));
        Pdu pl2 = room.state("m.room.power_levels", "", ALICE, parse("{}")).build();
        Pdu joinRules = room.state.get(StateKey.of("m.room.join_rules", ""));
        Pdu message = room.event("m.room.message", ALICE, obj("body", "x")).build();
        // 2.1 duplicate (type, state_key)
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.checkAuthEvents(RoomVersion.V10,
                withAuth(room, room.create, pl, pl2), List.of(room.create, pl, pl2)));
        // 2.2 join rules are not selected for a message; a message event has no state key
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.checkAuthEvents(RoomVersion.V10,
                withAuth(room, room.create, joinRules), List.of(room.create, joinRules)));
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.checkAuthEvents(RoomVersion.V10,
                withAuth(room, room.create, message), List.of(room.create, message)));
        // 2.4 no create event
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.checkAuthEvents(RoomVersion.V10,
                withAuth(room, pl), List.of(pl)));
        // an auth event the caller did not supply
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.checkAuthEvents(RoomVersion.V10,
                withAuth(room, room.create, pl), List.of(room.create)));
    }

    @Test
    void v12AuthEventsMustNotIncludeTheCreateEvent() {
        TestRoom room = TestRoom.standard(RoomVersion.V12, "public");
        Pdu pl = room.state.get(StateKey.of("m.room.power_levels", ""));
        assertEquals(AuthResult.ALLOWED, AuthRules.checkAuthEvents(RoomVersion.V12, withAuth(room, pl), List.of(pl)));
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.checkAuthEvents(RoomVersion.V12,
                withAuth(room, room.create, pl), List.of(room.create, pl)));
    }

    @Test
    void checkAuthEventsRejectsAnEventOfAnotherRoom() {
        TestRoom room = TestRoom.standard(RoomVersion.V10, "public");
        Pdu foreign = room.state("m.room.power_levels", "", ALICE, parse("{}")).room("!other:a.org").build();
        assertInstanceOf(AuthResult.Rejected.class, AuthRules.checkAuthEvents(RoomVersion.V10,
                withAuth(room, room.create, foreign), List.of(room.create, foreign)));
    }
}
