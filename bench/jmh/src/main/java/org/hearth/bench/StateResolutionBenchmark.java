package org.hearth.bench;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.room.RoomVersion;
import org.hearth.spec.stateres.ForkedRoomFixture;
import org.hearth.spec.stateres.StateResolver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * State resolution over two forks of a room with 10,000 members and 1,000 conflicting state events
 * ({@code standard}: a power levels change, 50 bans and custom state per fork; {@code powerStorm}: 500 power
 * levels changes per fork). Target: under 200 ms.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class StateResolutionBenchmark {
    @Param({"1", "11", "12"})
    String roomVersion;

    @Param({"standard", "powerStorm"})
    String fixture;

    ForkedRoomFixture room;

    @Setup
    public void setUp() {
        RoomVersion version = RoomVersion.find(roomVersion).orElseThrow();
        room = fixture.equals("standard") ? ForkedRoomFixture.standard(version) : ForkedRoomFixture.powerStorm(version);
    }

    @Benchmark
    public Map<StateKey, String> resolve() {
        return StateResolver.resolve(room.version(), room.stateSets(), room.events());
    }
}
