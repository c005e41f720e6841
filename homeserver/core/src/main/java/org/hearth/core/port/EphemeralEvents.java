package org.hearth.core.port;

import jakarta.json.JsonObject;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * The feed of ephemeral changes (typing, receipts, presence, to-device), told once they are applied: the appservice
 * transaction pusher forwards the events under {@code ephemeral} and MSC2409's unstable keys; federation sends local
 * users' typing, receipts and presence and remote users' to-device messages on as EDUs. Set with
 * {@code SyncStreams.ephemeralEvents}. Federation's inbound side feeds remote users' typing and receipts in through
 * the same methods.
 */
public interface EphemeralEvents {
    EphemeralEvents NONE = new EphemeralEvents() {};

    /** An {@code m.typing} or public {@code m.receipt} event of {@code room}, in its sync shape with room_id. */
    default void roomEphemeral(RoomId room, JsonObject event) {}

    /** {@code user} started, stopped or kept typing in {@code room} (called on every refresh, changed or not). */
    default void typing(UserId user, RoomId room, boolean typing, long timeoutMs) {}

    /** {@code user}'s public receipt of {@code type} on {@code eventId}; {@code threadId} empty when unthreaded. */
    default void receipt(UserId user, RoomId room, String type, String eventId, String threadId, long ts) {}

    /** An {@code m.presence} event of {@code user}. */
    default void presence(UserId user, JsonObject event) {}

    /** A to-device message for one device of a local user: type, sender, to_user_id, to_device_id, content. */
    default void toDevice(UserId recipient, JsonObject message) {}

    /**
     * A to-device message for users of other servers (user → device ID or {@code *} → content), stored nowhere
     * here: federation sends it on as {@code m.direct_to_device} EDUs, one per server, under {@code messageId}.
     */
    default void remoteToDevice(UserId sender, String type, String messageId,
                                java.util.Map<UserId, java.util.Map<String, JsonObject>> messages) {}

    /** Tells each in turn. */
    static EphemeralEvents all(EphemeralEvents... each) {
        EphemeralEvents out = NONE;
        for (EphemeralEvents e : each) {
            out = out == NONE ? e : both(out, e);
        }
        return out;
    }

    /** Tells {@code first}, then {@code second}. */
    static EphemeralEvents both(EphemeralEvents first, EphemeralEvents second) {
        return new EphemeralEvents() {
            @Override
            public void roomEphemeral(RoomId room, JsonObject event) {
                first.roomEphemeral(room, event);
                second.roomEphemeral(room, event);
            }

            @Override
            public void typing(UserId user, RoomId room, boolean typing, long timeoutMs) {
                first.typing(user, room, typing, timeoutMs);
                second.typing(user, room, typing, timeoutMs);
            }

            @Override
            public void receipt(UserId user, RoomId room, String type, String eventId, String threadId, long ts) {
                first.receipt(user, room, type, eventId, threadId, ts);
                second.receipt(user, room, type, eventId, threadId, ts);
            }

            @Override
            public void presence(UserId user, JsonObject event) {
                first.presence(user, event);
                second.presence(user, event);
            }

            @Override
            public void toDevice(UserId recipient, JsonObject message) {
                first.toDevice(recipient, message);
                second.toDevice(recipient, message);
            }

            @Override
            public void remoteToDevice(UserId sender, String type, String messageId,
                                       java.util.Map<UserId, java.util.Map<String, JsonObject>> messages) {
                first.remoteToDevice(sender, type, messageId, messages);
                second.remoteToDevice(sender, type, messageId, messages);
            }
        };
    }
}
