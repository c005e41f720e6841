package org.hearth.bridge.irc;

/**
 * Flood control for one IRC connection: {@code burst} lines at once, then {@code perSecond} lines a second.
 * Servers disconnect clients that send faster ("Excess Flood"), so every line but PONG waits for a token.
 */
public final class TokenBucket {
    private final double burst;
    private final double perNano;
    private double tokens;
    private long last;

    public TokenBucket(int burst, double perSecond) {
        if (burst < 1 || perSecond <= 0) {
            throw new IllegalArgumentException("burst >= 1 and perSecond > 0 are required");
        }
        this.burst = burst;
        this.perNano = perSecond / 1e9;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes a token at {@code now} (nanoTime) if there is one: 0; else how many ns until there is one. */
    synchronized long tryTake(long now) {
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perNano);
    }

    /** Blocks until a token is free. */
    public void take() throws InterruptedException {
        long wait;
        while ((wait = tryTake(System.nanoTime())) > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
    }
}
