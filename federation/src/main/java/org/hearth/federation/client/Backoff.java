package org.hearth.federation.client;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-destination backoff for servers that do not answer: after n consecutive failures, requests wait
 * {@code min(FIRST * 2^(n-1), MAX)} before trying again; any answer resets it. Kept in memory: a restart
 * forgives everyone, which costs one failed attempt per dead server.
 */
public final class Backoff {
    static final Duration FIRST = Duration.ofSeconds(30);
    static final Duration MAX = Duration.ofHours(24);

    private record State(int failures, long retryAt) {}

    private final Clock clock;
    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

    public Backoff(Clock clock) {
        this.clock = clock;
    }

    /** When the destination may be tried again (epoch ms), or 0 when it may be tried now. */
    public long retryAt(String destination) {
        State s = states.get(destination);
        return s == null || s.retryAt <= clock.millis() ? 0 : s.retryAt;
    }

    public void failed(String destination) {
        states.compute(destination, (d, s) -> {
            int failures = s == null ? 1 : s.failures + 1;
            long wait = FIRST.toMillis() << Math.min(failures - 1, 20);
            return new State(failures, clock.millis() + Math.min(wait, MAX.toMillis()));
        });
    }

    public void succeeded(String destination) {
        states.remove(destination);
    }
}
