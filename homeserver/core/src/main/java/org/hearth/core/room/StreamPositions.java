package org.hearth.core.room;

import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Allocates stream positions and publishes the highest one below which every allocated position is settled
 * (committed or abandoned), so a reader bounded by {@link #current()} never sees a position appear behind it.
 */
final class StreamPositions {
    private final ReentrantLock lock = new ReentrantLock();
    private final TreeSet<Long> inFlight = new TreeSet<>();
    private long lastAllocated;
    private volatile long current;

    StreamPositions(long persistedMax) {
        this.lastAllocated = persistedMax;
        this.current = persistedMax;
    }

    long allocate() {
        lock.lock();
        try {
            long next = ++lastAllocated;
            inFlight.add(next);
            return next;
        } finally {
            lock.unlock();
        }
    }

    /** The position is committed or will never be: readers may pass it. */
    void settle(long position) {
        lock.lock();
        try {
            inFlight.remove(position);
            current = inFlight.isEmpty() ? lastAllocated : inFlight.first() - 1;
        } finally {
            lock.unlock();
        }
    }

    long current() {
        return current;
    }
}
