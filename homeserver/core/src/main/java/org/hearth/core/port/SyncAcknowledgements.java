package org.hearth.core.port;

import org.hearth.spec.id.UserId;

/**
 * Told when a {@code /sync} with {@code since} arrives: the device has received the answer that token ended, so
 * every room event up to {@code roomsPosition} reached it. Called on the request thread: implementations hand the
 * work off and return at once.
 */
public interface SyncAcknowledgements {
    SyncAcknowledgements NONE = (user, deviceId, roomsPosition) -> { };

    void acknowledged(UserId user, String deviceId, long roomsPosition);
}
