package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import io.helidon.dbclient.DbRow;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.hearth.core.storage.Database;
import org.hearth.spec.id.RoomId;

/** {@code GET /rooms/{roomId}/timestamp_to_event} (spec: "Room participation"): the closest event to a time. */
public final class EventsByTime {
    // Events the requester may not see are skipped; past this many the answer is "none found" rather than a scan.
    static final int MAX_SKIPPED = 100;

    private final Database database;
    private final RoomReader reader;

    EventsByTime(Database database, RoomReader reader) {
        this.database = database;
        this.reader = reader;
    }

    /**
     * The first accepted event of {@code room} at or after {@code ts} ({@code forward}) or at or before it, among
     * those {@code visible} accepts.
     */
    public Optional<StoredEvent> closest(RoomId room, long ts, boolean forward, Predicate<StoredEvent> visible) {
        List<String> ids;
        try (Stream<DbRow> rows = database.execute()
                .createNamedQuery(forward ? "directory-event-after-ts" : "directory-event-before-ts")
                .params(params("room_id", room.value(), "ts", ts, "max_pos", reader.currentPosition(),
                        "lim", MAX_SKIPPED)).execute()) {
            ids = rows.map(r -> str(r, "event_id")).toList();
        }
        for (String id : ids) {
            Optional<StoredEvent> e = reader.event(id);
            if (e.isPresent() && visible.test(e.get())) {
                return e;
            }
        }
        return Optional.empty();
    }
}
