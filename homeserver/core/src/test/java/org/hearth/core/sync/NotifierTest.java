package org.hearth.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.junit.jupiter.api.Test;

class NotifierTest {
    private static UserId user(int i) {
        return UserId.parse("@u" + i + ":example.org");
    }

    @Test
    void oneUsersEventWakesOnlyThatUserAmongTenThousandParked() throws Exception {
        var notifier = new Notifier(new FakeMembership());
        int n = 10_000;
        var parked = new CountDownLatch(n);
        var woken = new AtomicInteger();
        var wokenUsers = new java.util.concurrent.ConcurrentLinkedQueue<Integer>();
        List<Thread> threads = new ArrayList<>();
        long deadline = Notifier.deadline(20_000);
        for (int i = 0; i < n; i++) {
            int id = i;
            threads.add(Thread.ofVirtual().start(() -> {
                try (var waiter = notifier.register(user(id))) {
                    parked.countDown();
                    if (waiter.await(deadline)) {
                        woken.incrementAndGet();
                        wokenUsers.add(id);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        assertTrue(parked.await(30, TimeUnit.SECONDS));
        long start = System.nanoTime();
        notifier.notifyUser(user(4242));
        threads.get(4242).join(5_000);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertFalse(threads.get(4242).isAlive());
        assertTrue(tookMs < 1_000, "woken in " + tookMs + " ms");
        System.out.println("one of " + n + " parked waiters woken in " + tookMs + " ms");
        Thread.sleep(200);
        assertEquals(1, woken.get());
        assertEquals(List.of(4242), List.copyOf(wokenUsers));
        assertEquals(n - 1, notifier.parked());
        threads.forEach(Thread::interrupt);
        for (Thread t : threads) {
            t.join(5_000);
        }
        assertEquals(0, notifier.parked());
    }

    @Test
    void roomEventWakesItsMembersOnly() throws Exception {
        var room = RoomId.parse("!r:example.org");
        var membership = new FakeMembership().join(user(1), room).join(user(2), room);
        var notifier = new Notifier(membership);
        try (var in1 = notifier.register(user(1)); var in2 = notifier.register(user(2)); var out = notifier.register(user(3))) {
            notifier.notifyRoom(room);
            assertTrue(in1.woken());
            assertTrue(in2.woken());
            assertFalse(out.woken());
        }
    }

    @Test
    void wakeBetweenRegisteringAndParkingIsNotLost() throws Exception {
        var notifier = new Notifier(new FakeMembership());
        try (var waiter = notifier.register(user(1))) {
            notifier.notifyUser(user(1));
            long start = System.nanoTime();
            assertTrue(waiter.await(Notifier.deadline(5_000)));
            assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    @Test
    void timesOutWhenNothingArrives() throws Exception {
        var notifier = new Notifier(new FakeMembership());
        try (var waiter = notifier.register(user(1))) {
            long start = System.nanoTime();
            assertFalse(waiter.await(Notifier.deadline(100)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
