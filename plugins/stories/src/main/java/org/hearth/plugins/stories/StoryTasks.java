package org.hearth.plugins.stories;

import java.time.Duration;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ScheduledTask;
import org.pf4j.Extension;

/**
 * Redacts stories past their lifetime ({@code plugin_config.stories.lifetime_ms}, default 24 h) unless highlighted,
 * every {@code sweep_seconds} (default 60), and brings the audiences of "contacts" and "everyone" up to date (new
 * DMs, new users) every {@code reconcile_seconds} (default 300); the invites themselves go out on {@link AudienceTask}.
 */
@Extension
public final class StoryTasks implements ScheduledTask {
    private final Stories stories;
    private final long reconcileEveryMs;
    private long lastReconcile = System.currentTimeMillis();

    public StoryTasks(Homeserver homeserver) {
        this.stories = new Stories(homeserver);
        this.reconcileEveryMs = 1000L * Long.parseLong(homeserver.config().getString("reconcile_seconds", "300"));
    }

    @Override
    public Duration interval() {
        return Duration.ofSeconds(Long.parseLong(stories.homeserver().config().getString("sweep_seconds", "60")));
    }

    @Override
    public void run() {
        stories.expire(100);
        if (System.currentTimeMillis() - lastReconcile >= reconcileEveryMs) {
            lastReconcile = System.currentTimeMillis();
            stories.authors().forEach(stories::requestReconcile);
        }
    }
}
