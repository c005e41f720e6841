package org.hearth.spec.stateres;

import static org.hearth.spec.stateres.StateResV2Test.ALICE;
import static org.hearth.spec.stateres.StateResV2Test.BOB;
import static org.hearth.spec.stateres.StateResV2Test.CAROL;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

/** The two orderings of state resolution v2 on their own (spec v2 "Definitions"). */
class OrderingTest {

    /**
     * "Reverse topological power ordering", Kahn's algorithm by hand. Set = {E, PL_B, BAN}:
     * E = alice (100) bans @x, cites PL0; PL_B = bob (50) changes power levels, cites PL0; BAN = alice bans @y,
     * cites PL_B. In-degrees within the set: E 0, PL_B 0, BAN 1 (PL_B).
     * Step 1: candidates {E, PL_B}; E's sender has 100 (read from PL0), PL_B's 50: E first.
     * Step 2: candidates {PL_B}: PL_B. Step 3: BAN is freed: BAN. Alice's BAN sorts after bob's PL_B although
     * alice has more power, because it cites PL_B.
     */
    @Test
    void kahnRespectsAuthLinksBeforePower() {
        StateResV2Test.Base b = StateResV2Test.base(RoomVersion.V11);
        TestRoom.Fork f = b.fork();
        String e = f.at(300).member(ALICE, "@x:example.org", "ban");
        String plB = f.at(100).powerLevels(BOB, Map.of(ALICE, 100, BOB, 50, CAROL, 5));
        String ban = f.at(200).member(ALICE, "@y:example.org", "ban");
        EventGraph g = new EventGraph(b.room().events::get);
        assertEquals(List.of(e, plB, ban), PowerOrdering.sort(RoomVersion.V11, g, Set.of(e, plB, ban)));
    }

    // v12: a creator has infinite power and sorts before a 100-level user, whatever the timestamps.
    @Test
    void creatorsFirstInRoomVersion12() {
        StateResV2Test.Base b = StateResV2Test.base(RoomVersion.V12);
        TestRoom.Fork f = b.fork();
        String byAlice = f.at(1).member(ALICE, "@x:example.org", "ban");
        String byCreator = f.at(2).member(StateResV2Test.CREATOR, "@y:example.org", "ban");
        EventGraph g = new EventGraph(b.room().events::get);
        assertEquals(List.of(byCreator, byAlice), PowerOrdering.sort(RoomVersion.V12, g, Set.of(byAlice, byCreator)));
        // Before v12 the creator, absent from PL0's users, has users_default 0 and sorts last.
        StateResV2Test.Base b11 = StateResV2Test.base(RoomVersion.V11);
        String a11 = b11.fork().at(1).member(ALICE, "@x:example.org", "ban");
        String c11 = b11.fork().at(2).member(StateResV2Test.CREATOR, "@y:example.org", "ban");
        assertEquals(List.of(a11, c11), PowerOrdering.sort(RoomVersion.V11,
                new EventGraph(b11.room().events::get), Set.of(a11, c11)));
    }

    /**
     * "Mainline ordering" by hand. History: PL0, then T0 (cites PL0), PL1 (cites PL0), T1 (cites PL1), PL2
     * (cites PL1). Mainline of PL2 = [PL2 (0), PL1 (1), PL0 (2)]. Positions: T0 2, T1 1, PL2 itself 1 (e_0 is
     * skipped; e_1 = PL1), the create event infinity (no power levels in its auth events). Greater position
     * first: create, T0, then T1 and PL2 (both 1) by timestamp.
     */
    @Test
    void mainlinePositions() {
        StateResV2Test.Base b = StateResV2Test.base(RoomVersion.V11);
        TestRoom.Fork f = b.fork();
        String t0 = f.at(10).topic(ALICE, "0");
        String pl1 = f.at(20).powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 1));
        String t1 = f.at(40).topic(ALICE, "1");
        String pl2 = f.at(30).powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 2));
        EventGraph g = new EventGraph(b.room().events::get);
        assertEquals(List.of("$create", t0, pl2, t1), MainlineOrdering.sort(g, pl2, List.of(t1, pl2, t0, "$create")));
        // No power levels in the resolved state: every position is infinity, timestamps decide.
        assertEquals(List.of(t0, pl2, t1), MainlineOrdering.sort(g, null, List.of(t1, pl2, t0)));
        assertEquals(List.of(t0, t1), MainlineOrdering.sort(g, pl1, List.of(t1, t0)));
    }
}
