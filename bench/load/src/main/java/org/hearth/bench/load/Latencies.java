package org.hearth.bench.load;

import java.util.Arrays;

/** Latency samples in nanoseconds; percentiles by nearest rank. Thread-safe. */
final class Latencies {
    private long[] samples = new long[1024];
    private int size;

    synchronized void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    synchronized int count() {
        return size;
    }

    /** p in [0, 100]; NaN when empty. Milliseconds. */
    synchronized double percentileMs(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }

    synchronized int countAboveMs(double ms) {
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (samples[i] > ms * 1e6) {
                n++;
            }
        }
        return n;
    }

    double maxMs() {
        return percentileMs(100);
    }

    /** "p50 / p90 / p99 / max" in ms. */
    String summary() {
        if (count() == 0) {
            return "-";
        }
        return String.format("%s / %s / %s / %s", Report.ms(percentileMs(50)), Report.ms(percentileMs(90)),
                Report.ms(percentileMs(99)), Report.ms(maxMs()));
    }
}
