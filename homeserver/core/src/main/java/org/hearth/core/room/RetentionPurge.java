package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hearth.core.storage.Database;
import org.hearth.spec.event.Redaction;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Purges events that outlived their room's retention {@code max_lifetime}: each expired event that is neither a
 * state event nor a forward extremity is pruned as by a redaction (keeping what the event graph and auth need:
 * prev_events, auth_events, hashes, signatures) and flagged purged, and its relation, search and push-action rows
 * are deleted. The rows stay, so every edge and every later event's prev_events still point at a stored event.
 */
public final class RetentionPurge {
    /** Events purged per room per run, so one run never holds a room's rows for long. */
    private static final int BATCH = 500;

    private final Database database;
    private final EventRepository events;
    private final RoomReader reader;

    RetentionPurge(Database database, EventRepository events, RoomReader reader) {
        this.database = database;
        this.events = events;
        this.reader = reader;
    }

    /**
     * What one run purged: the event count, the mxc:// URIs the purged events referred to, and the rooms that lost
     * events (their notification rows went too, so cached unread counts of those rooms are stale).
     */
    public record Result(int purgedEvents, Set<String> mediaUris, Set<RoomId> rooms) {}

    /** One pass over every room with a retention lifetime. */
    public Result runOnce() {
        List<String[]> rooms = new ArrayList<>();
        database.execute().createNamedQuery("retention-rooms").execute()
                .forEach(r -> rooms.add(new String[] {str(r, "room_id"), str(r, "room_version")}));
        int purged = 0;
        Set<String> media = new LinkedHashSet<>();
        Set<RoomId> purgedRooms = new LinkedHashSet<>();
        for (String[] room : rooms) {
            RoomId roomId = new RoomId(room[0]);
            long cutoff = reader.expiryCutoff(roomId);
            if (cutoff == Long.MIN_VALUE) {
                continue;
            }
            RoomVersion version = RoomVersion.find(room[1]).orElse(null);
            if (version == null) {
                continue;
            }
            int n;
            do {
                n = purgeBatch(roomId, version, cutoff, media);
                purged += n;
                if (n > 0) {
                    purgedRooms.add(roomId);
                }
            } while (n == BATCH);
        }
        return new Result(purged, media, purgedRooms);
    }

    private int purgeBatch(RoomId room, RoomVersion version, long cutoff, Set<String> media) {
        record Expired(long pos, String eventId, JsonObject json) {}
        List<Expired> expired = new ArrayList<>();
        database.execute().createNamedQuery("retention-expired")
                .params(params("room_id", room.value(), "cutoff", cutoff, "lim", BATCH)).execute()
                .forEach(r -> expired.add(new Expired(lng(r, "stream_ordering"), str(r, "event_id"),
                        Json.parseObject(str(r, "json")))));
        if (expired.isEmpty()) {
            return 0;
        }
        database.transaction(tx -> {
            for (Expired e : expired) {
                tx.createNamedUpdate("retention-event-purge").params(params("event_id", e.eventId(),
                        "json", CanonicalJson.encodeLenient(Redaction.redact(version, e.json())))).execute();
                tx.createNamedDelete("retention-relations-delete").params(params("event_id", e.eventId())).execute();
                tx.createNamedDelete("retention-search-delete").params(params("event_id", e.eventId())).execute();
                tx.createNamedDelete("retention-push-actions-delete")
                        .params(params("room_id", room.value(), "stream_ordering", e.pos())).execute();
            }
            return null;
        });
        for (Expired e : expired) {
            events.purged(e.eventId());
            if (e.json().get("content") instanceof JsonObject content) {
                mediaUris(content, media);
            }
        }
        return expired.size();
    }

    /** The mxc:// URIs an event's content refers to: url, info.thumbnail_url, file.url, info.thumbnail_file.url. */
    static void mediaUris(JsonObject content, Set<String> out) {
        add(content.get("url"), out);
        if (content.get("file") instanceof JsonObject file) {
            add(file.get("url"), out);
        }
        if (content.get("info") instanceof JsonObject info) {
            add(info.get("thumbnail_url"), out);
            if (info.get("thumbnail_file") instanceof JsonObject thumb) {
                add(thumb.get("url"), out);
            }
        }
    }

    private static void add(JsonValue v, Set<String> out) {
        if (v instanceof JsonString s && s.getString().startsWith("mxc://")) {
            out.add(s.getString());
        }
    }
}
