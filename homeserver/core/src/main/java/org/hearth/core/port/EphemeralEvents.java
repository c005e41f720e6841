package org.hearth.core.port;

import jakarta.json.JsonObject;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Told of ephemeral events once they are stored (implemented by the appservice transaction pusher, which forwards
 * them under {@code ephemeral} and MSC2409's unstable keys). Set with {@code SyncStreams.ephemeralEvents}.
 */
public interface EphemeralEvents {
    EphemeralEvents NONE = new EphemeralEvents() {};

    /** An {@code m.typing} or public {@code m.receipt} event of {@code room}, in its sync shape with room_id. */
    default void roomEphemeral(RoomId room, JsonObject event) {}

    /** An {@code m.presence} event of {@code user}. */
    default void presence(UserId user, JsonObject event) {}

    /** A to-device message for one device of a local user: type, sender, to_user_id, to_device_id, content. */
    default void toDevice(UserId recipient, JsonObject message) {}
}
