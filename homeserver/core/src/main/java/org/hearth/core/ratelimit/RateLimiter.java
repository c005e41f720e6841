package org.hearth.core.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A token bucket per key (an IP address, a user ID): {@code burst} actions at once, refilled at {@code perSecond}.
 * Buckets idle for 10 minutes are forgotten (a full bucket and a forgotten one behave the same once refilled).
 */
public final class RateLimiter {
    private record Bucket(double tokens, long atNanos) {}

    private final double perSecond;
    private final int burst;
    private final boolean enabled;
    private final LongSupplier nanos;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10)).maximumSize(1_000_000).build();

    public RateLimiter(double perSecond, int burst, boolean enabled, LongSupplier nanos) {
        if (perSecond <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.enabled = enabled;
        this.nanos = nanos;
    }

    public RateLimiter(double perSecond, int burst, boolean enabled) {
        this(perSecond, burst, enabled, System::nanoTime);
    }

    /** Throws {@link RateLimited} when {@code key} has no token left, without taking one. */
    public void check(String key) {
        if (!enabled || key == null) {
            return;
        }
        Bucket b = buckets.getIfPresent(key);
        if (b == null) {
            return;
        }
        double tokens = Math.min(burst, b.tokens() + (nanos.getAsLong() - b.atNanos()) / 1e9 * perSecond);
        if (tokens < 1) {
            throw new RateLimited((long) Math.ceil((1 - tokens) / perSecond * 1000));
        }
    }

    /** Takes one token for {@code key}, or throws {@link RateLimited} with the wait until one is available. */
    public void acquire(String key) {
        if (!enabled || key == null) {
            return;
        }
        long now = nanos.getAsLong();
        double[] wait = {0};
        buckets.asMap().compute(key, (k, b) -> {
            double tokens = b == null ? burst : Math.min(burst, b.tokens() + (now - b.atNanos()) / 1e9 * perSecond);
            if (tokens >= 1) {
                return new Bucket(tokens - 1, now);
            }
            wait[0] = (1 - tokens) / perSecond;
            return new Bucket(tokens, now);
        });
        if (wait[0] > 0) {
            throw new RateLimited((long) Math.ceil(wait[0] * 1000));
        }
    }
}
