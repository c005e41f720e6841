package org.hearth.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hearth.core.media.ContentRepository;
import org.hearth.core.room.RetentionPurge;
import org.hearth.spec.id.RoomId;

/** Runs the retention purge on a schedule, then deletes the media that only purged events referred to. */
public final class RetentionJob implements AutoCloseable {
    private static final Logger LOG = System.getLogger(RetentionJob.class.getName());
    private final RetentionPurge purge;
    private final ContentRepository media;
    private final Consumer<RoomId> countsChanged;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "retention-purge");
        t.setDaemon(true);
        return t;
    });

    RetentionJob(RetentionPurge purge, ContentRepository media, Consumer<RoomId> countsChanged, Duration interval) {
        this.purge = purge;
        this.media = media;
        this.countsChanged = countsChanged;
        timer.scheduleWithFixedDelay(this::runSafely, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One purge run; returns the number of events purged. */
    int runOnce() {
        RetentionPurge.Result result = purge.runOnce();
        result.rooms().forEach(countsChanged);
        int deleted = 0;
        for (String uri : result.mediaUris()) {
            if (media.deleteIfUnreferenced(uri)) {
                deleted++;
            }
        }
        if (result.purgedEvents() > 0) {
            LOG.log(Level.INFO, "retention: purged {0} events, deleted {1} media", result.purgedEvents(), deleted);
        }
        return result.purgedEvents();
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // The next run retries; one failing room must not stop the schedule.
            LOG.log(Level.WARNING, "retention purge failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
