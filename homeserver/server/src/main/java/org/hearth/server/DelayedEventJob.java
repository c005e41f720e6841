package org.hearth.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.core.delayed.DelayedEvents;
import org.hearth.spec.id.RoomId;

/**
 * Sends delayed events (MSC4140) when they are due: one timer set for the earliest pending send time, moved
 * earlier by each new schedule, reset after each run from the database; at start it sends what fell due while the
 * server was down. It also checks, off the sender's thread, whether a commit overwrote a delayed state event.
 */
public final class DelayedEventJob implements AutoCloseable {
    private static final Logger LOG = System.getLogger(DelayedEventJob.class.getName());
    // After a failed run (the database away), the next try.
    private static final long RETRY_MS = 5_000;

    private final DelayedEvents delayed;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "delayed-events");
        t.setDaemon(true);
        return t;
    });
    private final ReentrantLock lock = new ReentrantLock();
    private ScheduledFuture<?> next;
    private long nextAt = Long.MAX_VALUE;

    DelayedEventJob(DelayedEvents delayed, Clock clock) {
        this.delayed = delayed;
        this.clock = clock;
        delayed.onScheduled(this::wakeAt);
    }

    /** Recovers claims a stop cut off, then sends whatever is already due. */
    void start() {
        delayed.recover();
        timer.execute(this::run);
    }

    /** After a commit in {@code room}: cancels delayed state events that another sender's state event overwrote. */
    void committed(RoomId room, long position) {
        if (delayed.watches(room)) {
            timer.execute(() -> {
                try {
                    delayed.cancelOverwritten(room, position);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "delayed events: overwrite check in " + room.value() + " failed: "
                            + e.getMessage(), e);
                }
            });
        }
    }

    private void wakeAt(long sendTs) {
        lock.lock();
        try {
            if (sendTs >= nextAt || timer.isShutdown()) {
                return;
            }
            if (next != null) {
                next.cancel(false);
            }
            nextAt = sendTs;
            next = timer.schedule(this::run, Math.max(0, sendTs - clock.millis()), TimeUnit.MILLISECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        lock.lock();
        try {
            next = null;
            nextAt = Long.MAX_VALUE;
        } finally {
            lock.unlock();
        }
        try {
            int sent = delayed.sendDue();
            if (sent > 0) {
                LOG.log(Level.DEBUG, "delayed events: sent {0}", sent);
            }
            OptionalLong due = delayed.nextSendTs();
            if (due.isPresent()) {
                wakeAt(due.getAsLong());
            }
        } catch (RuntimeException e) {
            // The schedule must survive a bad run (database restarting...): try again shortly.
            LOG.log(Level.WARNING, "delayed events: run failed: " + e.getMessage(), e);
            wakeAt(clock.millis() + RETRY_MS);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
