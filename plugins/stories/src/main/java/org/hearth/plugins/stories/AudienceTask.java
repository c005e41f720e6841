package org.hearth.plugins.stories;

import java.time.Duration;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ScheduledTask;
import org.pf4j.Extension;

/**
 * Sends the invites and removals that audience changes asked for, {@code audience_batch} (default 20) membership
 * changes per run, every {@code audience_interval_ms} (default 2000): each run stays well within the call budget
 * however large the audience ("everyone" on a big server).
 */
@Extension
public final class AudienceTask implements ScheduledTask {
    private final Stories stories;

    public AudienceTask(Homeserver homeserver) {
        this.stories = new Stories(homeserver);
    }

    @Override
    public Duration interval() {
        return Duration.ofMillis(Long.parseLong(stories.homeserver().config().getString("audience_interval_ms", "2000")));
    }

    @Override
    public void run() {
        stories.reconcilePending(Integer.parseInt(stories.homeserver().config().getString("audience_batch", "20")));
    }
}
