package org.hearth.plugin.api;

import java.time.Duration;
import org.pf4j.ExtensionPoint;

/** Work the server runs every {@link #interval()} (expiry sweeps, reminders), within the call budget. */
public interface ScheduledTask extends ExtensionPoint {
    Duration interval();

    void run();
}
