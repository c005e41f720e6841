package org.hearth.spec.stateres;

import static org.hearth.spec.stateres.StateResV2Test.ALICE;
import static org.hearth.spec.stateres.StateResV2Test.BOB;
import static org.hearth.spec.stateres.StateResV2Test.CAROL;
import static org.hearth.spec.stateres.TestRoom.POWER_LEVELS;
import static org.hearth.spec.stateres.TestRoom.member;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spec: room version 12, "State resolution" (v2.1, MSC4297): the conflicted state subgraph joins the full
 * conflicted set, and the first iterative auth checks start from an empty state map. Each test runs the
 * same input through v11 (v2) and v12 (v2.1) and shows the difference.
 */
class StateResV21Test {

    static Stream<AuthCheck> rules() {
        return AuthCheckers.all().stream();
    }

    /**
     * History (one line): ... PL0, PL1 (alice), M2 (alice's member: a displayname change, auth PL1), T (alice's
     * topic, auth PL1 + M2), PL2 (alice, auth PL1 + M2). State A = after T, state B = after PL2.
     * Conflicted state set = {PL1, PL2}. M2 is in both full auth chains (via T in A, via T and PL2 in B), so it
     * is not in the auth difference; auth difference = {} (PL1 is in both chains). M2 lies on the path
     * PL2 -> M2 -> PL1 between two conflicted events, so the "conflicted state subgraph" holds it and v2.1
     * re-checks it in step 1/2 (it is in the auth chain of power event PL2), while v2 never looks at it.
     */
    record Line(TestRoom room, TestRoom.Fork a, TestRoom.Fork b, String pl1, String m2, String pl2) {}

    static Line line(RoomVersion version) {
        StateResV2Test.Base base = StateResV2Test.base(version);
        TestRoom.Fork f = base.fork();
        String pl1 = f.named("$pl1").powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 10));
        String m2 = f.named("$m2").send("m.room.member", ALICE, ALICE,
                Json.createObjectBuilder().add("membership", "join").add("displayname", "Alice").build());
        f.named("$t").topic(ALICE, "t");
        TestRoom.Fork a = f.branch();
        String pl2 = f.named("$pl2").powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 20));
        return new Line(base.room(), a, f, pl1, m2, pl2);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void conflictedSubgraphIsRechecked(AuthCheck rules) {
        for (RoomVersion version : List.of(RoomVersion.V11, RoomVersion.V12)) {
            Line l = line(version);
            List<String> checked = new ArrayList<>();
            AuthCheck recording = (v, e, s) -> {
                checked.add(e.eventId());
                return rules.check(v, e, s);
            };
            Map<StateKey, String> r = StateResolver.resolve(version, TestRoom.sets(l.a(), l.b()), l.room().events::get, recording);
            assertEquals(l.pl2(), r.get(POWER_LEVELS), "v" + version.id());
            assertEquals(l.m2(), r.get(member(ALICE)), "v" + version.id());
            // Reverse topological power ordering: PL1 before M2 before PL2 (auth links), whatever the power.
            List<String> expected = version == RoomVersion.V12 ? List.of(l.pl1(), l.m2(), l.pl2()) : List.of(l.pl1(), l.pl2());
            assertEquals(expected, checked, "v" + version.id());
        }
    }

    // The subgraph alone: paths between conflicted events, endpoints included; what hangs below PL1 (PL0,
    // alice's first join, the create event) or beside the paths (T) is not in it.
    @Test
    void subgraphBetweenConflictedEvents() {
        Line l = line(RoomVersion.V12);
        EventGraph graph = new EventGraph(l.room().events::get);
        Set<String> sub = graph.subgraphBetween(Set.of(l.pl1(), l.pl2()));
        assertEquals(Set.of(l.pl1(), l.m2(), l.pl2()), sub);
        assertEquals(Set.of(), graph.subgraphBetween(Set.of(l.pl2())));
        assertEquals(Set.of(), graph.subgraphBetween(Set.of("$t", l.pl2())), "T and PL2 are not linked");
    }

    /**
     * Step 2 starts from the unconflicted state map (v2) or from an empty map (v2.1). Alice's leave L is
     * unconflicted; PL_A (alice demotes bob to 0) and PL_B (bob adds carol at 50) conflict, PL_A sorting first
     * (alice 100 > bob 50).
     * v2: PL_A is checked with alice's membership from the state, L: leave, so rule "sender not joined" rejects
     * it; PL_B is then allowed (no power levels in the state, so PL0 from its auth events; bob 50 adds 50).
     * v2.1: the state is empty, so alice's join comes from PL_A's auth events and PL_A is allowed; PL_B is then
     * checked against PL_A, where bob has 0, and is rejected. Step 5 puts L back either way.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void firstIterativeAuthChecksStartEmpty(AuthCheck rules) {
        for (RoomVersion version : List.of(RoomVersion.V11, RoomVersion.V12)) {
            StateResV2Test.Base b = StateResV2Test.base(version);
            TestRoom.Fork a = b.fork().branch();
            TestRoom.Fork c = b.fork().branch();
            TestRoom.Fork gone = b.fork().branch();
            String plA = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
            String plB = c.powerLevels(BOB, Map.of(ALICE, 100, BOB, 50, CAROL, 50));
            String leave = gone.member(ALICE, ALICE, "leave");
            Map<StateKey, String> sa = new HashMap<>(a.state);
            Map<StateKey, String> sc = new HashMap<>(c.state);
            sa.put(member(ALICE), leave);
            sc.put(member(ALICE), leave);
            Map<StateKey, String> r = StateResolver.resolve(version, List.of(sa, sc), b.room().events::get, rules);
            assertEquals(version == RoomVersion.V12 ? plA : plB, r.get(POWER_LEVELS), "v" + version.id());
            assertEquals(leave, r.get(member(ALICE)));
        }
    }
}
