package org.hearth.core.ratelimit;

/** Spec "Rate limiting": 429 {@code M_LIMIT_EXCEEDED} with {@code retry_after_ms}, rendered at the HTTP edge. */
public final class RateLimited extends RuntimeException {
    private final long retryAfterMs;

    public RateLimited(long retryAfterMs) {
        super("Too many requests", null, false, false);
        this.retryAfterMs = retryAfterMs;
    }

    public long retryAfterMs() {
        return retryAfterMs;
    }
}
