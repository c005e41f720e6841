package org.hearth.federation.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final class MutableClock extends Clock {
        Instant now = Instant.ofEpochMilli(1_000_000);

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void failuresDoubleTheWaitUpToADayAndAnAnswerResetsIt() {
        MutableClock clock = new MutableClock();
        Backoff backoff = new Backoff(clock);
        assertEquals(0, backoff.retryAt("a"));
        backoff.failed("a");
        assertEquals(clock.millis() + 30_000, backoff.retryAt("a"));
        assertEquals(0, backoff.retryAt("b"));
        backoff.failed("a");
        assertEquals(clock.millis() + 60_000, backoff.retryAt("a"));
        for (int i = 0; i < 30; i++) {
            backoff.failed("a");
        }
        assertEquals(clock.millis() + Duration.ofDays(1).toMillis(), backoff.retryAt("a"));
        clock.now = clock.now.plus(Duration.ofDays(1));
        assertEquals(0, backoff.retryAt("a"));
        backoff.succeeded("a");
        backoff.failed("a");
        assertEquals(clock.millis() + 30_000, backoff.retryAt("a"));
    }
}
