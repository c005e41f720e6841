package org.hearth.core.directory;

import io.helidon.dbclient.DbRow;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.hearth.core.room.RoomReader;
import org.hearth.core.storage.Database;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * {@code POST /user_directory/search} (spec: "User directory"), as Synapse with {@code search_all_users: false}:
 * local users who share a joined room with the searcher, plus those joined to rooms anyone may join or read.
 *
 * <p>No per-user directory table to keep in step with every member event and profile change (Synapse's
 * user_directory): the search is one SQL query over local profiles ({@code users}) that walks the primary key and
 * checks each matching user's rooms through the membership index, stopping at the limit. Measured with 10,000
 * users in 40 rooms: 0.4-1.5 ms for common terms, 16 ms for a term nobody matches (a scan of every profile, so it
 * grows linearly: a full-text index is the next step past ~100,000 users). Which rooms are public is derived from
 * current state into {@code user_directory_public_rooms}, brought in step before a search whenever an event was
 * persisted since the last one: one scan of the rooms table, and state reads only for rooms whose state changed
 * (summaries are cached by state group; the first search after a start reads every room's state once).
 * Remote users are not searched yet: their profiles arrive with federation.
 */
public final class UserDirectory {
    /** Synapse's cap on {@code limit}. */
    public static final int MAX_LIMIT = 50;

    private final Database database;
    private final RoomReader reader;
    private final RoomSummaries summaries;
    private final ReentrantLock syncLock = new ReentrantLock();
    private long syncedAt = -1;
    private Set<String> publicRooms;

    public UserDirectory(Database database, RoomReader reader, RoomSummaries summaries) {
        this.database = database;
        this.reader = reader;
        this.summaries = summaries;
    }

    public record Result(UserId userId, Optional<String> displayName, Optional<String> avatarUrl) {}

    public record Results(List<Result> results, boolean limited) {}

    public Results search(UserId searcher, String term, int limit) {
        syncPublicRooms();
        String t = escapeLike(term.strip().toLowerCase(Locale.ROOT));
        String localpart = t.startsWith("@") ? t.substring(1) : t;
        Map<String, Object> params = Map.of("searcher", searcher.value(), "id_prefix", "@" + localpart + "%",
                "name_prefix", t + "%", "name_word", "% " + t + "%", "lim", limit + 1);
        List<Result> found;
        try (Stream<DbRow> rows = database.execute().createNamedQuery("directory-user-search").params(params).execute()) {
            found = rows.map(r -> new Result(UserId.parse(r.column("user_id").getString()),
                    optional(r, "displayname"), optional(r, "avatar_url"))).toList();
        }
        boolean limited = found.size() > limit;
        return new Results(limited ? found.subList(0, limit) : found, limited);
    }

    /** Rooms where both users are joined, by room ID ({@code GET /mutual_rooms}). */
    public List<RoomId> mutualRooms(UserId user, UserId other) {
        try (Stream<DbRow> rows = database.execute().createNamedQuery("directory-mutual-rooms")
                .params(Map.of("user_id", user.value(), "other_id", other.value())).execute()) {
            return rows.map(r -> RoomId.parse(r.column("room_id").getString())).toList();
        }
    }

    /** Rooms whose members are visible to every searcher, brought in step with current state. */
    private void syncPublicRooms() {
        long position = reader.currentPosition();
        syncLock.lock();
        try {
            if (position == syncedAt) {
                return;
            }
            if (publicRooms == null) {
                try (Stream<DbRow> rows = database.execute().createNamedQuery("directory-public-rooms").execute()) {
                    publicRooms = new HashSet<>(rows.map(r -> r.column("room_id").getString()).toList());
                }
            }
            Set<String> now = new HashSet<>();
            // Read to the end first: summaries.at queries too, and a second connection taken while this
            // stream holds one can wait forever on an exhausted pool.
            Map<String, Long> groups = new java.util.LinkedHashMap<>();
            try (Stream<DbRow> rows = database.execute().createNamedQuery("directory-rooms").execute()) {
                rows.forEach(r -> groups.put(r.column("room_id").getString(),
                        r.column("current_state_group").getLong()));
            }
            groups.forEach((room, group) -> {
                if (summaries.at(RoomId.parse(room), group).publiclyVisible()) {
                    now.add(room);
                }
            });
            Set<String> added = new HashSet<>(now);
            added.removeAll(publicRooms);
            Set<String> removed = new HashSet<>(publicRooms);
            removed.removeAll(now);
            if (!added.isEmpty() || !removed.isEmpty()) {
                database.transaction(tx -> {
                    added.forEach(room -> tx.createNamedInsert("directory-public-room-add")
                            .params(Map.of("room_id", room)).execute());
                    removed.forEach(room -> tx.createNamedDelete("directory-public-room-remove")
                            .params(Map.of("room_id", room)).execute());
                    return null;
                });
            }
            publicRooms = now;
            syncedAt = position;
        } finally {
            syncLock.unlock();
        }
    }

    private static Optional<String> optional(DbRow r, String column) {
        Object v = r.column(column).asOptional().orElse(null);
        return v == null || v.toString().isEmpty() ? Optional.empty() : Optional.of(v.toString());
    }

    private static String escapeLike(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
