package org.hearth.core.directory;

import java.util.List;
import java.util.Optional;

/**
 * What the room directory and room summaries show of a room, read from its current state (spec:
 * "PublishedRoomsChunk", "RoomSummary"). Optional fields are empty when the state has no such value.
 */
public record RoomSummary(
        String roomId,
        String roomVersion,
        Optional<String> name,
        Optional<String> topic,
        Optional<String> canonicalAlias,
        Optional<String> avatarUrl,
        Optional<String> roomType,
        Optional<String> encryption,
        String joinRule,
        String historyVisibility,
        boolean guestCanJoin,
        List<String> allowedRoomIds) {

    public boolean worldReadable() {
        return historyVisibility.equals("world_readable");
    }

    /** Synapse's "public" room for the user directory: anyone may join it or read it. */
    public boolean publiclyVisible() {
        return joinRule.equals("public") || worldReadable();
    }
}
