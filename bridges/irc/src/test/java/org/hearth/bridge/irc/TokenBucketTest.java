package org.hearth.bridge.irc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
    @Test
    void aBurstThenOneLinePerInterval() {
        TokenBucket bucket = new TokenBucket(3, 2);   // 2 lines a second: one every 500 ms
        long t = System.nanoTime();
        assertEquals(0, bucket.tryTake(t));
        assertEquals(0, bucket.tryTake(t));
        assertEquals(0, bucket.tryTake(t));
        long wait = bucket.tryTake(t);
        assertTrue(wait > 400_000_000L && wait <= 500_000_000L, "waits about 500 ms: " + wait);
        assertEquals(0, bucket.tryTake(t + 500_000_000L));
        assertTrue(bucket.tryTake(t + 500_000_000L) > 0);
        // idle time refills up to the burst only
        long later = t + 60_000_000_000L;
        for (int i = 0; i < 3; i++) {
            assertEquals(0, bucket.tryTake(later));
        }
        assertTrue(bucket.tryTake(later) > 0);
    }

    @Test
    void nonsenseLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new TokenBucket(1, 0));
    }
}
