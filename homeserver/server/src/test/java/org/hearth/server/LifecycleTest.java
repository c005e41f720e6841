package org.hearth.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final List<String> stopped = new ArrayList<>();

    private AutoCloseable named(String name) {
        return () -> stopped.add(name);
    }

    @Test
    void stopsInReverseOrderOfStartingAndOnlyOnce() {
        var lifecycle = new Lifecycle();
        lifecycle.add(named("database"));
        lifecycle.add(named("pool"));
        lifecycle.add(named("webserver"));
        lifecycle.close();
        lifecycle.close();
        assertEquals(List.of("webserver", "pool", "database"), stopped);
    }

    @Test
    void oneFailingStopDoesNotKeepTheOthersRunning() {
        var lifecycle = new Lifecycle();
        lifecycle.add(named("database"));
        lifecycle.add(() -> {
            throw new IllegalStateException("webserver stuck");
        });
        lifecycle.close();
        assertEquals(List.of("database"), stopped);
    }

    @Test
    void somethingStartedAfterShutdownBeganIsStoppedAtOnceAndAbortsTheStart() {
        var lifecycle = new Lifecycle();
        lifecycle.close();
        assertThrows(IllegalStateException.class, () -> lifecycle.add(named("late mariadbd")));
        assertEquals(List.of("late mariadbd"), stopped);
    }
}
