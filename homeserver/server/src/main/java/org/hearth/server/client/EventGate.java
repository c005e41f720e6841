package org.hearth.server.client;

import jakarta.json.JsonObject;
import java.util.Optional;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** A check of a client's event before the room engine builds and stores it (plugins' event checks). */
@FunctionalInterface
public interface EventGate {
    EventGate NONE = (room, sender, type, stateKey, content) -> {};

    /** Returns to let the event through; throws {@link org.hearth.spec.error.MatrixException} to refuse it. */
    void check(RoomId room, UserId sender, String type, Optional<String> stateKey, JsonObject content);
}
