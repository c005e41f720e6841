package org.hearth.plugin.api;

import org.pf4j.ExtensionPoint;

/**
 * Told that a device acknowledged a {@code /sync} answer (since 0.4.0): the device's next {@code /sync} came with the
 * answer's {@code next_batch} as {@code since}, so every room event up to {@code roomsPosition} (the position
 * {@link ObservedEvent#streamPosition()} counts in) reached it. Called off the request thread, queued, within the call
 * budget; acknowledgements may be dropped when the queue is full, and a later one covers an earlier one.
 */
public interface SyncAcknowledgement extends ExtensionPoint {
    void acknowledged(Acknowledgement acknowledgement);

    /** @param deviceId empty when the access token has no device */
    record Acknowledgement(String user, String deviceId, long roomsPosition) {}
}
