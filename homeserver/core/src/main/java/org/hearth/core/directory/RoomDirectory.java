package org.hearth.core.directory;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;

/**
 * The published room directory (spec: Client-Server API, "Published room directory"): which rooms are listed,
 * and the listing with its search filter and pagination.
 */
public final class RoomDirectory {
    /** Synapse's cap on one page of the directory. */
    static final int MAX_LIMIT = 500;

    private final Database database;
    private final RoomSummaries summaries;
    private final Clock clock;

    public RoomDirectory(Database database, RoomSummaries summaries, Clock clock) {
        this.database = database;
        this.summaries = summaries;
        this.clock = clock;
    }

    public RoomSummaries summaries() {
        return summaries;
    }

    public boolean isPublished(RoomId room) {
        return database.execute().createNamedGet("directory-get").params(Map.of("room_id", room.value())).execute()
                .isPresent();
    }

    public void setPublished(RoomId room, boolean published) {
        database.transaction(tx -> {
            setPublished(tx, room, published);
            return null;
        });
    }

    /** Inside another transaction (createRoom, room upgrades). */
    public void setPublished(DbExecute tx, RoomId room, boolean published) {
        if (published) {
            tx.createNamedInsert("directory-publish")
                    .params(Map.of("room_id", room.value(), "published_ts", clock.millis())).execute();
        } else {
            tx.createNamedDelete("directory-unpublish").params(Map.of("room_id", room.value())).execute();
        }
    }

    /**
     * {@code room_types}: empty means any type; a null entry stands for rooms without a type.
     * {@code searchTerm}: null or blank means any room.
     */
    public record Filter(String searchTerm, Optional<Set<Optional<String>>> roomTypes) {
        public static final Filter NONE = new Filter(null, Optional.empty());

        boolean matches(RoomSummary s) {
            if (roomTypes.isPresent() && !roomTypes.get().contains(s.roomType())) {
                return false;
            }
            if (searchTerm == null || searchTerm.isBlank()) {
                return true;
            }
            String term = searchTerm.strip().toLowerCase(Locale.ROOT);
            return Stream.of(s.name(), s.topic(), s.canonicalAlias(), Optional.of(s.roomId()))
                    .flatMap(Optional::stream)
                    .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains(term));
        }
    }

    public record Entry(RoomSummary summary, long joinedMembers) {}

    /** One page; tokens are absent at either end. {@code total}: published rooms matching the filter. */
    public record Page(List<Entry> chunk, Optional<String> nextBatch, Optional<String> prevBatch, int total) {}

    /**
     * The published rooms matching {@code filter}, most joined members first (then by room ID, so the order is
     * stable between pages). Tokens are offsets into that order: "n" + offset forward, "p" + offset backward.
     */
    public Page list(Filter filter, Integer limit, String since) {
        return list(Networks.LOCAL, filter, limit, since);
    }

    /**
     * Which listings a page draws from (spec: {@code include_all_networks}, {@code third_party_instance_id}): the
     * rooms published here, those plus every appservice's listings, or one appservice network's listings.
     */
    public record Networks(boolean local, boolean appServices, String appServiceId, String networkId) {
        public static final Networks LOCAL = new Networks(true, false, null, null);
        public static final Networks ALL = new Networks(true, true, null, null);
        public static final Networks NONE = new Networks(false, false, null, null);

        public static Networks of(String appServiceId, String networkId) {
            return new Networks(false, true, appServiceId, networkId);
        }
    }

    public Page list(Networks networks, Filter filter, Integer limit, String since) {
        int offset = 0;
        if (since != null) {
            offset = offset(since);
        }
        int size = limit == null || limit <= 0 ? MAX_LIMIT : Math.min(limit, MAX_LIMIT);
        List<Entry> matching = new ArrayList<>();
        // Read to the end first: the summaries query too, and a second connection taken while this stream
        // holds one can wait forever on an exhausted pool.
        Map<RoomId, Long> groups = new java.util.LinkedHashMap<>();
        if (networks.local()) {
            try (Stream<DbRow> rows = database.execute().createNamedQuery("directory-list").execute()) {
                rows.forEach(r -> groups.put(RoomId.parse(r.column("room_id").getString()),
                        r.column("current_state_group").getLong()));
            }
        }
        if (networks.appServices()) {
            var query = networks.appServiceId() == null
                    ? database.execute().createNamedQuery("directory-list-appservices")
                    : database.execute().createNamedQuery("directory-list-appservice-network")
                            .params(Map.of("appservice_id", networks.appServiceId(), "network_id", networks.networkId()));
            try (Stream<DbRow> rows = query.execute()) {
                rows.forEach(r -> groups.putIfAbsent(RoomId.parse(r.column("room_id").getString()),
                        r.column("current_state_group").getLong()));
            }
        }
        groups.forEach((room, group) -> {
            RoomSummary s = summaries.at(room, group);
            if (filter.matches(s)) {
                matching.add(new Entry(s, summaries.joinedMembers(room, group)));
            }
        });
        matching.sort(Comparator.comparingLong(Entry::joinedMembers).reversed()
                .thenComparing(e -> e.summary().roomId()));
        int from = Math.min(offset, matching.size());
        int to = Math.min(from + size, matching.size());
        return new Page(List.copyOf(matching.subList(from, to)),
                to < matching.size() ? Optional.of("n" + to) : Optional.empty(),
                from > 0 ? Optional.of("p" + Math.max(0, from - size)) : Optional.empty(),
                matching.size());
    }

    private static int offset(String token) {
        if (token.length() > 1 && (token.charAt(0) == 'n' || token.charAt(0) == 'p')) {
            try {
                int offset = Integer.parseInt(token.substring(1));
                if (offset >= 0) {
                    return offset;
                }
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid pagination token " + token);
    }
}
