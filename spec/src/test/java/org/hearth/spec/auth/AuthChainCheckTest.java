package org.hearth.spec.auth;

import static org.hearth.spec.auth.TestRoom.ALICE;
import static org.hearth.spec.auth.TestRoom.BOB;
import static org.hearth.spec.auth.TestRoom.obj;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.util.List;
import java.util.Map;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

class AuthChainCheckTest {
    private static final RoomVersion V10 = RoomVersion.find("10").orElseThrow();

    /** create, alice's join, power levels (alice 100), public join rules: a room as a send_join answer holds it. */
    private record Chain(TestRoom room, Pdu create, Pdu join, Pdu powerLevels, Pdu joinRules) {}

    private static Chain chain() {
        TestRoom room = TestRoom.created(V10, ALICE);
        Pdu create = room.create;
        Pdu join = room.member(ALICE, ALICE, "join").prev(create.eventId()).auth(create.eventId()).build();
        Pdu levels = room.state("m.room.power_levels", "", ALICE, Json.createObjectBuilder()
                .add("users", Json.createObjectBuilder().add(ALICE, 100)).build())
                .auth(create.eventId(), join.eventId()).build();
        Pdu rules = room.state("m.room.join_rules", "", ALICE, obj("join_rule", "public"))
                .auth(create.eventId(), join.eventId(), levels.eventId()).build();
        return new Chain(room, create, join, levels, rules);
    }

    @Test
    void aConsistentChainPasses() {
        Chain c = chain();
        Pdu bobJoins = c.room().member(BOB, BOB, "join")
                .auth(c.create().eventId(), c.powerLevels().eventId(), c.joinRules().eventId()).build();
        assertEquals(Map.of(), AuthChainCheck.failures(V10,
                List.of(bobJoins, c.joinRules(), c.powerLevels(), c.join(), c.create())));
    }

    @Test
    void anEventTheRulesRefuseFailsAndSoDoesEverythingAuthorizedByIt() {
        Chain c = chain();
        // Bob, not a member, sets the power levels: refused; an event citing it fails too.
        Pdu forged = c.room().state("m.room.power_levels", "", BOB, Json.createObjectBuilder()
                .add("users", Json.createObjectBuilder().add(BOB, 100)).build())
                .auth(c.create().eventId(), c.join().eventId()).build();
        Pdu citing = c.room().state("m.room.topic", "", ALICE, obj("topic", "t"))
                .auth(c.create().eventId(), c.join().eventId(), forged.eventId()).build();
        Map<String, String> failures = AuthChainCheck.failures(V10,
                List.of(citing, forged, c.joinRules(), c.powerLevels(), c.join(), c.create()));
        assertEquals(2, failures.size(), failures.toString());
        assertTrue(failures.containsKey(forged.eventId()) && failures.containsKey(citing.eventId()));
    }

    @Test
    void aMissingAuthEventOrABrokenCreateFails() {
        Chain c = chain();
        Pdu orphan = c.room().state("m.room.topic", "", ALICE, obj("topic", "t"))
                .auth(c.create().eventId(), c.join().eventId(), "$unknown:a.org").build();
        assertEquals(List.of(orphan.eventId()), List.copyOf(AuthChainCheck.failures(V10,
                List.of(orphan, c.powerLevels(), c.join(), c.create())).keySet()));

        Pdu badCreate = new TestRoom.Event("m.room.create", null).stateKey("").sender(ALICE).room("!room:a.org")
                .content(obj("room_version", "13")).build("$create:a.org");
        Map<String, String> failures = AuthChainCheck.failures(V10, List.of(badCreate, c.join()));
        assertTrue(failures.containsKey(badCreate.eventId()) && failures.containsKey(c.join().eventId()),
                failures.toString());
    }
}
