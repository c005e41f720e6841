package org.hearth.spec.stateres;

import jakarta.json.Json;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;

/**
 * A large input for state resolution, for timing (here and in a later JMH benchmark): a room with
 * {@code members} joined users that forks in two, each fork sending {@code perFork} state events that
 * conflict with the other fork's: one power levels change, 50 bans and the rest custom state events on the
 * same keys. Deterministic: same arguments, same events.
 *
 * @param stateSets the two state sets to resolve
 * @param events    the lookup over every event of the room
 */
public record ForkedRoomFixture(RoomVersion version, List<Map<StateKey, String>> stateSets,
                                Function<String, Pdu> events, int eventCount) {

    static final String ALICE = "@alice:example.org";
    static final String BOB = "@bob:example.org";
    static final int BANS_PER_FORK = 50;

    /** The room of the brief: 10,000 members, 1,000 conflicting state events (500 per fork). */
    public static ForkedRoomFixture standard(RoomVersion version) {
        return build(version, 10_000, 500);
    }

    public static ForkedRoomFixture build(RoomVersion version, int members, int perFork) {
        return build(version, members, perFork, false);
    }

    /**
     * A harder variant: each fork sends {@code perFork} power levels changes in a row, so the whole auth
     * difference is power events (Kahn's algorithm over all of them) and each mainline is {@code perFork} long.
     */
    public static ForkedRoomFixture powerStorm(RoomVersion version) {
        return build(version, 10_000, 500, true);
    }

    static ForkedRoomFixture build(RoomVersion version, int members, int perFork, boolean storm) {
        TestRoom room = new TestRoom(version);
        TestRoom.Fork base = room.create("@creator:example.org");
        base.join("@creator:example.org");
        base.joinRules("@creator:example.org", "public");
        base.powerLevels("@creator:example.org", Map.of(ALICE, 100, BOB, 100));
        base.join(ALICE);
        base.join(BOB);
        for (int i = 0; i < members; i++) {
            base.join(user(i));
        }
        TestRoom.Fork a = base.branch();
        TestRoom.Fork b = base.branch();
        if (storm) {
            for (int i = 0; i < perFork; i++) {
                a.powerLevels(ALICE, Map.of(ALICE, 100, BOB, 100, "@carol:example.org", i % 50));
                b.powerLevels(BOB, Map.of(ALICE, 100, BOB, 100, "@dave:example.org", i % 50));
            }
        } else {
            fork(a, ALICE, 0, perFork);
            fork(b, BOB, BANS_PER_FORK, perFork);
        }
        Map<String, Pdu> events = new HashMap<>(room.events);
        return new ForkedRoomFixture(version, TestRoom.sets(a, b), events::get, events.size());
    }

    private static void fork(TestRoom.Fork f, String sender, int firstBanned, int count) {
        f.powerLevels(sender, Map.of(ALICE, 100, BOB, 100, "@mod-" + sender.substring(1, sender.indexOf(':')) + ":example.org", 50));
        for (int i = 0; i < BANS_PER_FORK; i++) {
            f.member(sender, user(firstBanned + i), "ban");
        }
        for (int i = 0; i < count - 1 - BANS_PER_FORK; i++) {
            f.send("org.example.fixture", "key" + i, sender, Json.createObjectBuilder().add("by", sender).build());
        }
    }

    private static String user(int i) {
        return "@user" + i + ":example.org";
    }

    /** Prints build and resolve timings; run with the test classpath. */
    public static void main(String[] args) {
        for (String variant : List.of("standard", "storm")) {
            for (RoomVersion v : List.of(RoomVersion.V1, RoomVersion.V11, RoomVersion.V12)) {
                System.out.println(timing(variant, v, 20));
            }
        }
    }

    /** Builds the standard fixture and times {@code runs} resolutions with the real auth rules. */
    static String timing(RoomVersion version, int runs) {
        return timing("standard", version, runs);
    }

    static String timing(String variant, RoomVersion version, int runs) {
        long t0 = System.nanoTime();
        ForkedRoomFixture f = variant.equals("storm") ? powerStorm(version) : standard(version);
        long built = System.nanoTime() - t0;
        long[] ms = new long[runs];
        Map<StateKey, String> result = null;
        for (int i = 0; i < runs; i++) {
            long s = System.nanoTime();
            result = StateResolver.resolve(version, f.stateSets(), f.events());
            ms[i] = (System.nanoTime() - s) / 1_000_000;
        }
        long[] sorted = ms.clone();
        java.util.Arrays.sort(sorted);
        return variant + " room v" + version.id() + ": " + f.eventCount() + " events, built in " + built / 1_000_000
                + " ms; resolve first " + ms[0] + " ms, median " + sorted[runs / 2] + " ms, min " + sorted[0]
                + " ms; resolved " + result.size() + " keys";
    }
}
