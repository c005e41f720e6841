package org.hearth.core.report;

import org.hearth.core.storage.Rows;
import io.helidon.dbclient.DbRow;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/**
 * Reports of events, rooms and users (spec: Client-Server API, "Reporting content"), stored for the server's admins,
 * and the admin listing of event reports (Synapse's admin API "Event Reports").
 */
public final class ContentReports {
    // Synapse's bound on a user report's reason, applied to every report: a report is a note, not a document.
    public static final int MAX_REASON = 1000;

    private final Database database;
    private final RoomReader rooms;
    private final HistoryVisibility visibility;
    private final ServerName serverName;
    private final Predicate<UserId> localUserExists;
    private final Clock clock;

    public ContentReports(Database database, RoomReader rooms, ServerName serverName, Predicate<UserId> localUserExists,
                          Clock clock) {
        this.database = database;
        this.rooms = rooms;
        this.visibility = new HistoryVisibility(rooms);
        this.serverName = serverName;
        this.localUserExists = localUserExists;
        this.clock = clock;
    }

    /**
     * Spec "POST /rooms/{roomId}/report/{eventId}": the reporter must be joined to the room now (v1.8) and able to
     * see the event; a missing, invisible, rejected or redacted event is {@code M_NOT_FOUND}, the same answer for each.
     */
    public void reportEvent(UserId reporter, RoomId room, String eventId, String reason, Long score) {
        checkReason(reason);
        var viewer = visibility.viewer(room, reporter);
        Optional<StoredEvent> event = rooms.event(eventId)
                .filter(e -> e.roomId().equals(room.value()) && e.inTimeline() && !e.isRedacted());
        if (!viewer.isJoined() || event.isEmpty() || !viewer.canSee(event.get())) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "The event was not found or you are not joined to the room");
        }
        database.execute().createNamedInsert("reports-event-insert").addParam("received_ts", clock.millis())
                .addParam("room_id", room.value()).addParam("event_id", eventId).addParam("sender", event.get().sender())
                .addParam("user_id", reporter.value()).addParam("reason", reason).addParam("score", score).execute();
    }

    /**
     * Spec "POST /rooms/{roomId}/report": any room this server knows, joined or not (v1.13: servers MUST NOT
     * require membership); {@code M_NOT_FOUND} for a room unknown here.
     */
    public void reportRoom(UserId reporter, RoomId room, String reason) {
        checkReason(reason);
        if (rooms.version(room).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "The room was not found");
        }
        database.execute().createNamedInsert("reports-room-insert").addParam("received_ts", clock.millis())
                .addParam("room_id", room.value()).addParam("user_id", reporter.value()).addParam("reason", reason)
                .execute();
    }

    /**
     * Spec "POST /users/{userId}/report". As Synapse, a user of another server or one that does not exist is
     * answered like a stored report but not stored: the spec lets servers hide whether a user exists, and nobody
     * here can act on a remote user.
     */
    public void reportUser(UserId reporter, UserId target, String reason) {
        checkReason(reason);
        if (!target.serverName().equals(serverName) || !localUserExists.test(target)) {
            return;
        }
        database.execute().createNamedInsert("reports-user-insert").addParam("received_ts", clock.millis())
                .addParam("target_user_id", target.value()).addParam("user_id", reporter.value())
                .addParam("reason", reason).execute();
    }

    private static void checkReason(String reason) {
        if (reason != null && reason.length() > MAX_REASON) {
            throw new MatrixException(ErrorCode.BAD_JSON, "reason must be at most " + MAX_REASON + " characters");
        }
    }

    /** Filters of the admin listing: substrings of the reporter and room IDs, the reported event's exact sender. */
    public record Filter(String reporterContains, String roomContains, String sender) {}

    public record Page(List<EventReport> reports, long total) {}

    public Page eventReports(Filter filter, long from, int limit, boolean newestFirst) {
        var db = database.execute();
        String user = contains(filter.reporterContains());
        String room = contains(filter.roomContains());
        String sender = filter.sender() == null ? "%" : escape(filter.sender());
        long total = db.createNamedGet("reports-event-count").addParam("user_like", user).addParam("room_like", room)
                .addParam("sender_like", sender).execute().map(r -> Rows.longValue(r, "n")).orElse(0L);
        List<EventReport> page;
        try (var rows = db.createNamedQuery(newestFirst ? "reports-event-list-backward" : "reports-event-list-forward")
                .addParam("user_like", user).addParam("room_like", room).addParam("sender_like", sender)
                .addParam("lim", limit).addParam("off", from).execute()) {
            page = rows.map(ContentReports::report).toList();
        }
        return new Page(page, total);
    }

    public Optional<EventReport> eventReport(long id) {
        return database.execute().createNamedGet("reports-event-get").addParam("id", id).execute().map(ContentReports::report);
    }

    /** {@code M_NOT_FOUND} when no such report exists. */
    public void deleteEventReport(long id) {
        if (database.execute().createNamedDelete("reports-event-delete").addParam("id", id).execute() == 0) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Event report not found");
        }
    }

    private static String contains(String s) {
        return s == null ? "%" : "%" + escape(s) + "%";
    }

    // LIKE's wildcards in an admin's filter are literal characters.
    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static EventReport report(DbRow r) {
        return new EventReport(Rows.longValue(r, "id"), Rows.longValue(r, "received_ts"), Rows.string(r, "room_id"),
                Rows.string(r, "event_id"), Rows.string(r, "sender"), Rows.string(r, "user_id"),
                Rows.string(r, "reason"), Rows.nullableLong(r, "score"));
    }
}
