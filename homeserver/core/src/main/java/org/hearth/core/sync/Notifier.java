package org.hearth.core.sync;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Where /sync requests with nothing new park their virtual thread until something for their user arrives.
 * Waking is by user, and by room through {@link RoomMembership#localMembers}: never all waiters at once.
 */
public final class Notifier {
    // Wake by user, not signalAll: 10,000 parked syncs took 3.2 s to drain from one condition (STACK.md).
    private final ConcurrentHashMap<UserId, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    private final RoomMembership membership;

    public Notifier(RoomMembership membership) {
        this.membership = membership;
    }

    /**
     * Registers a waiter for {@code user} before the caller looks for news, so a change made between looking
     * and parking is not missed. Close it when done.
     */
    public Waiter register(UserId user) {
        Waiter waiter = new Waiter(user);
        waiters.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(waiter);
        return waiter;
    }

    public void notifyUser(UserId user) {
        Set<Waiter> set = waiters.get(user);
        if (set != null) {
            for (Waiter w : set) {
                w.wake();
            }
        }
    }

    public void notifyUsers(Collection<UserId> users) {
        for (UserId user : users) {
            notifyUser(user);
        }
    }

    /** Wakes this server's users in the room (typing, receipts, new events). */
    public void notifyRoom(RoomId room) {
        notifyUsers(membership.localMembers(room));
    }

    int parked() {
        return waiters.values().stream().mapToInt(Set::size).sum();
    }

    private void remove(Waiter waiter) {
        waiters.computeIfPresent(waiter.user, (u, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    /** One parked request. */
    public final class Waiter implements AutoCloseable {
        private final UserId user;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private boolean woken;

        private Waiter(UserId user) {
            this.user = user;
        }

        void wake() {
            lock.lock();
            try {
                woken = true;
                changed.signal();
            } finally {
                lock.unlock();
            }
        }

        /** Parks until woken (since registration) or {@code deadlineNanos} (System.nanoTime) passes; true when woken. */
        public boolean await(long deadlineNanos) throws InterruptedException {
            lock.lock();
            try {
                while (!woken) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    changed.awaitNanos(left);
                }
                woken = false;
                return true;
            } finally {
                lock.unlock();
            }
        }

        public boolean woken() {
            lock.lock();
            try {
                return woken;
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            remove(this);
        }
    }

    static long deadline(long timeoutMillis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }
}
