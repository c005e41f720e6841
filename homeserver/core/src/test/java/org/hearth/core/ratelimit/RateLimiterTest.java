package org.hearth.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final AtomicLong now = new AtomicLong();
    private final RateLimiter limiter = new RateLimiter(0.5, 3, true, now::get);

    @Test
    void burstThenRefusedWithTheWait() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("ip");
        }
        var e = assertThrows(RateLimited.class, () -> limiter.acquire("ip"));
        assertEquals(2000, e.retryAfterMs());
    }

    @Test
    void refillsOverTime() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("ip");
        }
        now.addAndGet(2_000_000_000L);
        assertDoesNotThrow(() -> limiter.acquire("ip"));
        assertThrows(RateLimited.class, () -> limiter.acquire("ip"));
    }

    @Test
    void keysAreIndependent() {
        for (int i = 0; i < 3; i++) {
            limiter.acquire("a");
        }
        assertDoesNotThrow(() -> limiter.acquire("b"));
    }

    @Test
    void disabledNeverLimits() {
        var off = new RateLimiter(0.1, 1, false, now::get);
        for (int i = 0; i < 100; i++) {
            off.acquire("x");
        }
    }
}
