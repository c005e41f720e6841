package org.hearth.spec.stateres;

import static org.hearth.spec.stateres.StateResV2Test.ALICE;
import static org.hearth.spec.stateres.StateResV2Test.BOB;
import static org.hearth.spec.stateres.StateResV2Test.CAROL;
import static org.hearth.spec.stateres.StateResV2Test.EVE;
import static org.hearth.spec.stateres.TestRoom.POWER_LEVELS;
import static org.hearth.spec.stateres.TestRoom.TOPIC;
import static org.hearth.spec.stateres.TestRoom.member;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Spec: "Room Version 1", "State resolution" (depth and sha1 based; no mainline, no timestamps). */
class StateResV1Test {

    static Stream<AuthCheck> rules() {
        return AuthCheckers.all().stream();
    }

    static void rename(TestRoom.Fork f, String sender) {
        f.send("m.room.name", "", sender, Json.createObjectBuilder().add("name", "n").build());
    }

    // "For all other conflicts, just pick the event with the highest depth ... that passes authentication in R":
    // T_A is two events deeper, so it wins although T_B is newer. State res v2 (room 2) would pick T_B:
    // same mainline position (both cite PL0), later origin_server_ts.
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void otherConflictsPickHighestDepth(AuthCheck rules) {
        for (RoomVersion version : List.of(RoomVersion.V1, RoomVersion.V2)) {
            StateResV2Test.Base b = StateResV2Test.base(version);
            TestRoom.Fork a = b.fork().branch();
            TestRoom.Fork c = b.fork().branch();
            rename(a, ALICE);
            rename(a, ALICE);
            String topicA = a.at(100).topic(ALICE, "deep and old");
            String topicB = c.at(900).topic(BOB, "shallow and new");
            Map<StateKey, String> r = StateResolver.resolve(version, TestRoom.sets(a, c), b.room().events::get, rules);
            assertEquals(version == RoomVersion.V1 ? topicA : topicB, r.get(TOPIC), "v" + version.id());
        }
    }

    // Power levels first: [PL0 (depth d), PL_A (d+1)] by ascending depth; PL0 goes into R, PL_A is allowed in R.
    // Topics: T_B (bob, deeper) is tried first and fails in R (bob now has 0 < state_default 50); T0 is allowed.
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void deepestTopicFailingAuthInRIsSkipped(AuthCheck rules) {
        StateResV2Test.Base b = StateResV2Test.base(RoomVersion.V1);
        String topic0 = b.fork().topic(ALICE, "t0");
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String plA = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
        rename(c, BOB);
        rename(c, BOB);
        c.topic(BOB, "deeper");
        Map<StateKey, String> r = StateResolver.resolve(RoomVersion.V1, TestRoom.sets(a, c), b.room().events::get, rules);
        assertEquals(plA, r.get(POWER_LEVELS));
        assertEquals(topic0, r.get(TOPIC));
    }

    // "If it would not be allowed, stop": sorted by depth the power levels are [PL_A (alice demotes bob),
    // PL_B (bob adds carol: rejected once bob has 0), PL_C (alice adds carol at 10: would be allowed)].
    // The pass stops at PL_B, so PL_C is never applied and PL_A stays.
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void powerLevelsPassStopsAtFirstRejection(AuthCheck rules) {
        StateResV2Test.Base b = StateResV2Test.base(RoomVersion.V1);
        TestRoom.Fork s1 = b.fork().branch();
        TestRoom.Fork s2 = b.fork().branch();
        TestRoom.Fork s3 = b.fork().branch();
        String plA = s1.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
        rename(s2, BOB);
        s2.powerLevels(BOB, Map.of(ALICE, 100, BOB, 50, CAROL, 50));
        rename(s3, ALICE);
        rename(s3, ALICE);
        s3.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0, CAROL, 10));
        Map<StateKey, String> r = StateResolver.resolve(RoomVersion.V1, TestRoom.sets(s1, s2, s3), b.room().events::get, rules);
        assertEquals(plA, r.get(POWER_LEVELS));
    }

    // Members: same depth, so descending sha1 orders them. Ban first: R holds the ban and the join fails (banned).
    // Join first: R holds the join and the ban is then allowed. The ban wins either way.
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void banBeatsJoin(AuthCheck rules) {
        StateResV2Test.Base b = StateResV2Test.base(RoomVersion.V1);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String ban = a.member(ALICE, EVE, "ban");
        c.join(EVE);
        assertEquals(ban, StateResolver.resolve(RoomVersion.V1, TestRoom.sets(a, c), b.room().events::get, rules)
                .get(member(EVE)));
    }

    // A key that only some states hold is not "conflicting" (same key, different event IDs), so it joins R.
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void keyInOneStateOnlyIsKept(AuthCheck rules) {
        StateResV2Test.Base b = StateResV2Test.base(RoomVersion.V1);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String topic = a.topic(BOB, "only here");
        rename(c, ALICE);
        assertEquals(topic, StateResolver.resolve(RoomVersion.V1, TestRoom.sets(a, c), b.room().events::get, rules)
                .get(TOPIC));
    }
}
