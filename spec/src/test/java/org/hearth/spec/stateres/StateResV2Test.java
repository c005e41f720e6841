package org.hearth.spec.stateres;

import static org.hearth.spec.stateres.TestRoom.JOIN_RULES;
import static org.hearth.spec.stateres.TestRoom.POWER_LEVELS;
import static org.hearth.spec.stateres.TestRoom.TOPIC;
import static org.hearth.spec.stateres.TestRoom.member;
import static org.hearth.spec.stateres.TestRoom.sets;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Spec: "State resolution" of room versions 2-11 (v2) and 12 (v2.1). Scenarios whose outcome the two share
 * run on several versions; each names the definitions it exercises and works the outcome out by hand.
 *
 * <p>Every room starts the same: @creator creates it, joins, sets join rules public (creator 100 with no
 * power levels event), then power levels PL0 = {alice: 100, bob: 50}; alice and bob join. From then on
 * @creator has level 0 (before v12) or infinite (v12), and never acts again.
 */
class StateResV2Test {
    static final String CREATOR = "@creator:example.org";
    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";
    static final String CAROL = "@carol:example.org";
    static final String EVE = "@eve:example.org";

    static Stream<Arguments> versionsAndRules() {
        List<Arguments> out = new ArrayList<>();
        for (RoomVersion v : List.of(RoomVersion.V2, RoomVersion.V6, RoomVersion.V10, RoomVersion.V11, RoomVersion.V12)) {
            for (AuthCheck a : AuthCheckers.all()) {
                out.add(Arguments.of(v, a));
            }
        }
        return out.stream();
    }

    static Stream<Arguments> rules() {
        return AuthCheckers.all().stream().map(Arguments::of);
    }

    record Base(TestRoom room, TestRoom.Fork fork, String pl0, String joinRules0) {}

    static Base base(RoomVersion version) {
        TestRoom room = new TestRoom(version);
        TestRoom.Fork f = room.create(CREATOR);
        f.join(CREATOR);
        String jr = f.named("$jr0").joinRules(CREATOR, "public");
        String pl0 = f.named("$pl0").powerLevels(CREATOR, Map.of(ALICE, 100, BOB, 50));
        f.join(ALICE);
        f.join(BOB);
        return new Base(room, f, pl0, jr);
    }

    static Map<StateKey, String> resolve(TestRoom room, AuthCheck auth, TestRoom.Fork... forks) {
        return StateResolver.resolve(room.version, sets(forks), room.events::get, auth);
    }

    // "Power events": a ban is one (sender is not the state_key), so it is authorised in step 2; eve's join is
    // not, so it is ordered in step 3 and checked in step 4 against a state in which eve is banned.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void banBeatsConcurrentJoin(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String ban = a.member(ALICE, EVE, "ban");
        c.at(9_999_999).join(EVE); // a later timestamp does not help: power events go first
        assertEquals(ban, resolve(b.room(), auth, a, c).get(member(EVE)));
        assertEquals(ban, resolve(b.room(), auth, c, a).get(member(EVE)), "order of state sets is irrelevant");
    }

    // "Reverse topological power ordering": PL_A (alice, 100) sorts before PL_B (bob, 50) although PL_B is
    // older; PL_A demotes bob to 0, so in step 2 PL_B (bob raising carol to 50) fails rule 10 against PL_A.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void powerLevelRaceHigherSenderFirst(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String plB = c.at(10).powerLevels(BOB, Map.of(ALICE, 100, BOB, 50, CAROL, 50));
        String plA = a.at(20).powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
        Map<StateKey, String> r = resolve(b.room(), auth, a, c);
        assertEquals(plA, r.get(POWER_LEVELS));
        assertFalse(plB.equals(r.get(POWER_LEVELS)));
    }

    // "Reverse topological power ordering" decides who is applied last when both changes are allowed in either
    // order: alice (100) sorts before bob (50) even though bob's event is older, so bob's PL_B is applied last
    // and wins. Hand check of step 2: PL_A {carol: 10} allowed against PL0; PL_B by bob (50) removes carol
    // (10 < 50, rule 10.9) and adds dave at 20 (<= 50, rule 10.10): allowed. Reversing the order, PL_A would win.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void powerLevelRaceLowerSenderAppliedLast(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String plB = c.at(10).powerLevels(BOB, Map.of(ALICE, 100, BOB, 50, "@dave:example.org", 20));
        a.at(20).powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 10));
        assertEquals(plB, resolve(b.room(), auth, a, c).get(POWER_LEVELS));
    }

    // Equal sender power: origin_server_ts, then event ID, decide; the later one is applied last and wins.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void powerLevelRaceEqualPowerByTimestampThenId(RoomVersion version, AuthCheck auth) {
        for (long[] ts : new long[][] {{30, 20}, {20, 30}, {25, 25}}) {
            Base b = base(version);
            TestRoom.Fork a = b.fork().branch();
            TestRoom.Fork c = b.fork().branch();
            String x = a.at(ts[0]).named("$plX").powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 10));
            String y = c.at(ts[1]).named("$plY").powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 20));
            String expected = ts[0] > ts[1] ? x : y; // tie: "$plX" < "$plY", so $plY goes last
            assertEquals(expected, resolve(b.room(), auth, a, c).get(POWER_LEVELS), "ts " + ts[0] + "/" + ts[1]);
        }
    }

    // "Mainline ordering": PL1 extends PL0 and wins step 2 (its auth events hold PL0, so Kahn puts PL0 first).
    // Mainline of PL1 = [PL1 (0), PL0 (1)]. T_A cites PL1: position 0; T_B cites PL0: position 1. Greater
    // position sorts first, so T_B is applied before T_A and T_A wins, although T_B is newer.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void topicOnLaterMainlinePointWins(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String pl1 = a.at(50).powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 10));
        String topicA = a.at(100).named("$topicA").topic(ALICE, "a");
        c.at(200).named("$topicB").topic(BOB, "b");
        Map<StateKey, String> r = resolve(b.room(), auth, a, c);
        assertEquals(pl1, r.get(POWER_LEVELS));
        assertEquals(topicA, r.get(TOPIC));
    }

    // "Mainline ordering" ties: both topics cite PL0 (same position), so origin_server_ts decides (the older
    // is applied first, the newer last and wins); with equal timestamps the greater event ID is applied last.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void topicTieBrokenByTimestampThenEventId(RoomVersion version, AuthCheck auth) {
        for (long[] ts : new long[][] {{300, 200}, {200, 300}, {500, 500}}) {
            Base b = base(version);
            TestRoom.Fork a = b.fork().branch();
            TestRoom.Fork c = b.fork().branch();
            String topicA = a.at(ts[0]).named("$topicA").topic(ALICE, "a");
            String topicB = c.at(ts[1]).named("$topicB").topic(BOB, "b");
            String expected = ts[0] > ts[1] ? topicA : ts[0] < ts[1] ? topicB : topicB; // "$topicA" < "$topicB"
            assertEquals(expected, resolve(b.room(), auth, a, c).get(TOPIC), "ts " + ts[0] + "/" + ts[1]);
            assertEquals(expected, resolve(b.room(), auth, c, a).get(TOPIC), "ts " + ts[0] + "/" + ts[1]);
        }
    }

    // Join rules are power events: alice's switch to "invite" is authorised in step 2 (JR0 has no auth link to
    // it; both sort by power, then age). Eve's join then fails 5.3.4 in step 4 (not invited) and is dropped.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void joinRulesConflictDropsJoin(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String invite = a.joinRules(ALICE, "invite");
        c.join(EVE);
        Map<StateKey, String> r = resolve(b.room(), auth, a, c);
        assertEquals(invite, r.get(JOIN_RULES));
        assertFalse(r.containsKey(member(EVE)));
    }

    // Step 5: an unconflicted entry is kept even when it would now fail auth (bob's topic after bob's demotion),
    // and keys held by one set only are conflicted, not kept blindly.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void unconflictedStateKept(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        String topic0 = b.fork().topic(BOB, "kept");
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String plA = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
        c.send("m.room.name", "", ALICE, jakarta.json.Json.createObjectBuilder().add("name", "n").build());
        Map<StateKey, String> r = resolve(b.room(), auth, a, c);
        assertEquals(topic0, r.get(TOPIC));
        assertEquals(plA, r.get(POWER_LEVELS));
        assertEquals(b.fork().state.get(member(BOB)), r.get(member(BOB)));
        assertEquals(c.state.get(StateKey.of("m.room.name", "")), r.get(StateKey.of("m.room.name", "")));
    }

    // "Iterative auth checks": PL_A demotes bob; bob's topic (mainline position 1, via PL0) is checked in step 4
    // against PL_A, where bob has 0 < state_default 50, so it is ignored and the room has no topic.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void eventFailingIterativeAuthDropped(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String plA = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 0));
        c.topic(BOB, "lost");
        Map<StateKey, String> r = resolve(b.room(), auth, a, c);
        assertEquals(plA, r.get(POWER_LEVELS));
        assertFalse(r.containsKey(TOPIC));
    }

    /**
     * "Auth difference" and "Reverse topological power ordering" together. Fork A: alice raises carol to 50
     * (PL1), carol bans eve (BAN, cites PL1), alice drops carol again (PL2, cites PL1). Fork B: eve joins (JOIN).
     * Conflicted: {PL2, PL0, BAN, JOIN}. Auth difference: PL1, and also alice's join JA and carol's join JC:
     * an auth chain holds an event's auth events, not the event, and in fork B nothing in the state cites JA
     * or JC (both are in B's state, but PL0 predates them). So the full conflicted set is
     * {PL0, PL1, PL2, BAN, JOIN, JA, JC}; X = power events {PL0, PL1, PL2, BAN} plus JA, JC (in their chains).
     * Kahn, by hand: PL0 (no links) -> JA (cites PL0) -> PL1 (cites PL0, JA) -> candidates {PL2 (alice 100),
     * JC (carol, 0 by PL0)}: PL2 -> JC -> BAN (cites PL1, JC). Step 2: all allowed except BAN, checked against
     * PL2 where carol has 0 < ban 50. Step 4: JOIN is allowed (public, eve not banned). Eve stays: carol lost the
     * power to ban concurrently.
     */
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void authDifferenceIsRecheckedAndConcurrentDemotionWins(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        String carolJoin = b.fork().join(CAROL);
        String aliceJoin = b.fork().id(member(ALICE));
        TestRoom.Fork a = b.fork().branch();
        TestRoom.Fork c = b.fork().branch();
        String pl1 = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50, CAROL, 50));
        String ban = a.member(CAROL, EVE, "ban");
        String pl2 = a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 50));
        String join = c.join(EVE);
        List<String> checked = new ArrayList<>();
        AuthCheck recording = (v, e, s) -> {
            checked.add(e.eventId());
            return auth.check(v, e, s);
        };
        Map<StateKey, String> r = resolve(b.room(), recording, a, c);
        assertEquals(pl2, r.get(POWER_LEVELS));
        assertEquals(join, r.get(member(EVE)));
        assertEquals(List.of(b.pl0(), aliceJoin, pl1, pl2, carolJoin, ban, join), checked);
    }

    // Identical sets: nothing conflicted, the state comes back as is.
    @ParameterizedTest(name = "v{0} {1}")
    @MethodSource("versionsAndRules")
    void identicalSetsResolveToThemselves(RoomVersion version, AuthCheck auth) {
        Base b = base(version);
        assertEquals(b.fork().state, resolve(b.room(), auth, b.fork(), b.fork().branch()));
        assertEquals(b.fork().state, resolve(b.room(), auth, b.fork()));
    }
}
