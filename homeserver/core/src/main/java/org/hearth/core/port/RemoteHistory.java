package org.hearth.core.port;

import org.hearth.spec.id.RoomId;

/**
 * History of a room this server missed, asked of the servers in it (spec: Server-Server API, "Backfilling and
 * retrieving missing events"). Implemented by the federation module.
 */
public interface RemoteHistory {
    RemoteHistory NONE = room -> false;

    /**
     * Fetches, checks and stores events older than the oldest this server has of {@code room} (its backward
     * extremities). False when none were added: none missing, no server answered, or it failed (never thrown).
     */
    boolean backfill(RoomId room);
}
