package org.hearth.core.port;

import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** Told of typing and public read-receipt changes, so federation can pass them on as EDUs. */
public interface EphemeralChanges {
    EphemeralChanges NONE = new EphemeralChanges() {
        @Override
        public void typing(UserId user, RoomId room, boolean typing, long timeoutMs) {}

        @Override
        public void receipt(UserId user, RoomId room, String type, String eventId, String threadId, long ts) {}
    };

    void typing(UserId user, RoomId room, boolean typing, long timeoutMs);

    void receipt(UserId user, RoomId room, String type, String eventId, String threadId, long ts);
}
