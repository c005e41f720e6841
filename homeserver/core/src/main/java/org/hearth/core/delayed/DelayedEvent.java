package org.hearth.core.delayed;

import jakarta.json.JsonObject;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * An event a client scheduled to be sent later (MSC4140): sent into {@code room} as {@code owner} at
 * {@code sendTs}, which a restart moves to now + {@code delayMs}.
 *
 * @param stateKey       null for a message event
 * @param originServerTs an application service's {@code ts}, else null for the time it is sent
 */
public record DelayedEvent(String delayId, UserId owner, String deviceId, RoomId room, String type, String stateKey,
                           JsonObject content, Long originServerTs, long delayMs, long sendTs) {

    public boolean isState() {
        return stateKey != null;
    }

    /** When it was scheduled or last restarted (MSC4140's {@code running_since}, later {@code scheduled_at}). */
    public long runningSince() {
        return sendTs - delayMs;
    }
}
