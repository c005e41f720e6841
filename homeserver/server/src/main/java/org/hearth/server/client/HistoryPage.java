package org.hearth.server.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.spec.id.RoomId;

/**
 * One page of a room's timeline as a user may see it: walks the stream from {@code from} (exclusive going forward,
 * inclusive going back) towards {@code to}, keeping the events {@code shown} lets through (filter, history visibility), until
 * {@code limit} are found or the history ends. Shared by {@code /messages} and the deprecated room initial sync.
 *
 * @param events    the page, in walking order (newest first going back)
 * @param cursor    where the next page starts
 * @param exhausted whether the walk reached {@code to} (or the room's start)
 */
record HistoryPage(List<StoredEvent> events, long cursor, boolean exhausted) {

    static HistoryPage walk(RoomReader reader, RoomId room, Predicate<StoredEvent> shown, long from, long to, int limit,
                            boolean backward) {
        List<StoredEvent> chunk = new ArrayList<>();
        long cursor = from;
        boolean exhausted = false;
        while (chunk.size() < limit && !exhausted) {
            int batch = Math.max(limit - chunk.size(), 1) * 2;
            List<StoredEvent> page = backward
                    ? reader.timeline(room, to, cursor, batch, true)
                    : reader.timeline(room, cursor, to, batch, false);
            if (page.size() < batch) {
                exhausted = true;
            }
            for (StoredEvent e : page) {
                cursor = backward ? e.streamOrdering() - 1 : e.streamOrdering();
                if (shown.test(e)) {
                    chunk.add(e);
                    if (chunk.size() == limit) {
                        exhausted = exhausted && e == page.getLast();
                        break;
                    }
                }
            }
            if (page.isEmpty()) {
                exhausted = true;
            }
        }
        return new HistoryPage(chunk, cursor, exhausted);
    }
}
