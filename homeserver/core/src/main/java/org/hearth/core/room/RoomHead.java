package org.hearth.core.room;

import java.util.List;
import org.hearth.spec.room.RoomVersion;

/** What building the next event of a room needs; read and replaced only under the room's lock. */
record RoomHead(String roomId, RoomVersion version, List<String> extremities, long maxDepth, long currentStateGroup) {}
