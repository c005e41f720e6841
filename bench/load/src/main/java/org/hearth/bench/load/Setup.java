package org.hearth.bench.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;

/** Creating users and rooms before a measurement, in parallel but bounded. */
final class Setup {
    interface Task<T> {
        T run(int index) throws IOException;
    }

    private final Homeserver hs;
    private final Options options;
    /** Unique per run, so repeated runs against one server do not collide. */
    final String runId = Long.toString(System.currentTimeMillis(), 36);

    Setup(Homeserver hs, Options options) {
        this.hs = hs;
        this.options = options;
    }

    /** Runs task(0..count-1) with at most --concurrency at a time; the first failure is thrown. */
    <T> List<T> parallel(String what, int count, Task<T> task) throws IOException {
        long start = System.nanoTime();
        Semaphore permits = new Semaphore(options.concurrency);
        List<Future<T>> futures = new ArrayList<>(count);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < count; i++) {
                int index = i;
                futures.add(ex.submit(() -> {
                    permits.acquire();
                    try {
                        return task.run(index);
                    } finally {
                        permits.release();
                    }
                }));
            }
            List<T> results = new ArrayList<>(count);
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    ex.shutdownNow();
                    throw e.getCause() instanceof IOException io ? io : new IOException(what + " failed", e.getCause());
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
            }
            double s = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "%s: %d in %.1f s (%.1f/s)%n", what, count, s, count / s);
            return results;
        }
    }

    List<Homeserver.Account> users(String prefix, int count) throws IOException {
        Homeserver.Registration method = options.registrationMethod();
        String password = "bench-" + runId;
        return parallel("register " + prefix, count,
                i -> hs.register(method, options.sharedSecret, "bench" + runId + "_" + prefix + i, password));
    }
}
