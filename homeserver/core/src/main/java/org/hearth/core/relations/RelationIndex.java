package org.hearth.core.relations;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.storage.Database;
import org.hearth.spec.event.Relation;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * The relations between events (spec: "Forming relationships between events"), indexed when the child is
 * persisted and dropped when it is redacted; children listed for {@code /relations}, threads for
 * {@code /threads}, and the bundled aggregations ({@code unsigned.m.relations}) of a page of events.
 */
public final class RelationIndex {
    // Spec, relations.yaml recurse: "Homeservers SHOULD traverse at least 3 levels of relationships".
    public static final int RECURSION_DEPTH = 3;
    // A recursive listing reads at most this many descendants per level, so a huge tree cannot exhaust memory.
    private static final int MAX_PER_LEVEL = 10_000;

    private final Database database;
    // Per room, every event that some relation points at (a superset: redacted relations stay). Most events of a
    // sync page have no children, so the aggregation query runs only for pages holding one of these: it was one
    // statement per sync answer. Kept current after commit; only this process writes event_relations.
    private final Cache<String, Set<String>> parentsByRoom = Caffeine.newBuilder().maximumSize(20_000).build();

    public RelationIndex(Database database) {
        this.database = database;
    }

    /** Records {@code event}'s relation, if it declares a well-formed one; a redaction drops its target's. */
    public void persisted(DbExecute tx, StoredEvent event, String redacts) {
        if (redacts != null) {
            tx.createNamedDelete("relations-delete")
                    .params(Columns.params("event_id", redacts, "room_id", event.roomId())).execute();
        }
        if (!event.inTimeline()) {
            return;
        }
        Optional<Relation> relation = Relation.of(event.pdu());
        // An edit of a state event is never valid; leave it out of the index rather than filter it on every read.
        if (relation.isEmpty() || (relation.get().relType().equals(Relation.REPLACE) && event.pdu().isState())) {
            return;
        }
        Relation r = relation.get();
        tx.createNamedInsert("relations-insert").params(Columns.params(
                "event_id", event.eventId(), "relates_to_id", r.parentId(), "room_id", event.roomId(),
                "rel_type", r.relType(), "type", event.type(), "sender", event.sender(), "aggregation_key", r.key(),
                "stream_ordering", event.streamOrdering(), "origin_server_ts", event.pdu().originServerTs())).execute();
        // compute waits for a load of the same room in flight, so a load that missed this row still gets it.
        Database.afterCommit(() -> parentsByRoom.asMap().computeIfPresent(event.roomId(), (room, parents) -> {
            parents.add(r.parentId());
            return parents;
        }));
    }

    private Set<String> parents(String room) {
        return parentsByRoom.get(room, r -> {
            Set<String> parents = java.util.concurrent.ConcurrentHashMap.newKeySet();
            try (Stream<DbRow> rows = database.execute().createNamedQuery("relations-parents")
                    .params(Columns.params("room_id", r)).execute()) {
                rows.forEach(row -> parents.add(Columns.str(row, "relates_to_id")));
            }
            return parents;
        });
    }

    /** A child in the index: enough to page, filter and aggregate without loading the event. */
    public record Child(String eventId, String parentId, String relType, String type, String sender, String key,
                        long streamOrdering, long originServerTs) {}

    /**
     * Direct children of {@code parentId} in {@code room} with {@code lower < stream_ordering <= upper}, at most
     * {@code limit}, newest first when {@code backward}. {@code relType} and {@code type} narrow when not null.
     */
    public List<Child> children(RoomId room, String parentId, String relType, String type, long lower, long upper,
                                int limit, boolean backward) {
        try (Stream<DbRow> rows = database.execute()
                .createNamedQuery(backward ? "relations-children-backward" : "relations-children-forward")
                .params(Columns.params("relates_to_id", parentId, "room_id", room.value(), "rel_type", relType,
                        "type", type, "lower_pos", lower, "upper_pos", upper, "lim", limit)).execute()) {
            return rows.map(RelationIndex::child).toList();
        }
    }

    /**
     * Children of {@code parentId} up to {@link #RECURSION_DEPTH} relationships away, in stream order, each with
     * its depth (1: a direct child); {@code relType} and {@code type} select which are returned, not which are
     * followed.
     */
    public List<Child> descendants(RoomId room, String parentId, String relType, String type) {
        List<Child> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        seen.add(parentId);
        List<String> level = List.of(parentId);
        for (int depth = 1; depth <= RECURSION_DEPTH && !level.isEmpty(); depth++) {
            List<Child> found = childrenOf(room, level);
            List<String> next = new ArrayList<>();
            for (Child c : found) {
                if (seen.add(c.eventId())) {
                    next.add(c.eventId());
                    if ((relType == null || relType.equals(c.relType())) && (type == null || type.equals(c.type()))) {
                        out.add(c);
                    }
                }
            }
            level = next;
        }
        out.sort(Comparator.comparingLong(Child::streamOrdering));
        return out;
    }

    private List<Child> childrenOf(RoomId room, Collection<String> parents) {
        if (parents.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT event_id, relates_to_id, rel_type, type, sender, aggregation_key,"
                + " stream_ordering, origin_server_ts FROM event_relations WHERE room_id = ? AND relates_to_id IN (");
        params.add(room.value());
        Columns.placeholders(sql, parents, params);
        sql.append(") ORDER BY stream_ordering LIMIT ").append(MAX_PER_LEVEL);
        try (Stream<DbRow> rows = database.execute().createQuery(sql.toString()).params(params).execute()) {
            return rows.map(RelationIndex::child).toList();
        }
    }

    /** The annotation {@code sender} made of {@code parentId} with {@code type} and {@code key}, if any. */
    public Optional<String> annotation(String parentId, String sender, String type, String key) {
        return database.execute().createNamedGet("relations-annotation-get").params(Columns.params(
                "relates_to_id", parentId, "sender", sender, "type", type, "aggregation_key", key)).execute()
                .map(r -> Columns.str(r, "event_id"));
    }

    /** One thread of a room: its root and the position of its newest event. */
    public record Thread(String rootId, long latestPosition) {}

    /**
     * Threads of {@code room} whose newest event is at or below {@code upper}, most recently active first; with
     * {@code participant}, only those that user started or replied in.
     */
    public List<Thread> threads(RoomId room, UserId participant, long upper, int limit) {
        String name = participant == null ? "relations-threads" : "relations-threads-participated";
        try (Stream<DbRow> rows = database.execute().createNamedQuery(name).params(Columns.params(
                "room_id", room.value(), "upper_pos", upper, "lim", limit,
                "user_id", participant == null ? null : participant.value())).execute()) {
            return rows.map(r -> new Thread(Columns.str(r, "relates_to_id"), Columns.lng(r, "latest"))).toList();
        }
    }

    /** What the children of one event aggregate to (spec: "Aggregations of child events"). */
    public record Aggregation(String latestEdit, ThreadSummary thread, List<String> references) {
        public boolean isEmpty() {
            return latestEdit == null && thread == null && references.isEmpty();
        }
    }

    /** Spec: "Server-side aggregation of m.thread relationships". */
    public record ThreadSummary(String latestEventId, long count, boolean currentUserParticipated) {}

    /**
     * The bundled aggregations of {@code parents} as seen by {@code viewer}, in one query: only events with some
     * are in the answer. m.annotation is not aggregated (spec: "event annotations").
     */
    public Map<String, Aggregation> aggregations(Collection<StoredEvent> parents, UserId viewer) {
        Map<String, StoredEvent> byId = new LinkedHashMap<>();
        for (StoredEvent e : parents) {
            byId.putIfAbsent(e.eventId(), e);
        }
        if (byId.isEmpty()) {
            return Map.of();
        }
        Map<String, List<Row>> byParent = new HashMap<>();
        for (Row r : childrenByRoom(byId.values(), viewer)) {
            byParent.computeIfAbsent(r.child().parentId(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Aggregation> out = new HashMap<>();
        byParent.forEach((parentId, children) -> {
            StoredEvent parent = byId.get(parentId);
            Aggregation a = aggregate(parent, children, viewer);
            if (!a.isEmpty()) {
                out.put(parentId, a);
            }
        });
        return out;
    }

    /** An aggregated row: one per edit or reference; one per thread, with its size and the viewer's part. */
    private record Row(Child child, long count, boolean viewerParticipated) {}

    private List<Row> childrenByRoom(Collection<StoredEvent> parents, UserId viewer) {
        Map<String, List<String>> byRoom = new LinkedHashMap<>();
        for (StoredEvent e : parents) {
            byRoom.computeIfAbsent(e.roomId(), k -> new ArrayList<>()).add(e.eventId());
        }
        List<Row> out = new ArrayList<>();
        // One query for the usual page of one room; a page spanning rooms (search) costs one per room.
        byRoom.forEach((room, ids) -> {
            Set<String> known = parents(room);
            List<String> withChildren = ids.stream().filter(known::contains).toList();
            if (!withChildren.isEmpty()) {
                out.addAll(aggregationRows(room, withChildren, viewer));
            }
        });
        return out;
    }

    /**
     * Edits and references row by row (few per event), threads grouped in SQL: a thread of any length is one
     * row with its count, newest event and whether the viewer took part.
     */
    private List<Row> aggregationRows(String room, List<String> parents, UserId viewer) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT event_id, relates_to_id, rel_type, type, sender,"
                + " stream_ordering, origin_server_ts, 1 AS n, 0 AS mine FROM event_relations"
                + " WHERE room_id = ? AND rel_type IN ('m.replace', 'm.reference') AND relates_to_id IN (");
        params.add(room);
        Columns.placeholders(sql, parents, params);
        // Event IDs hold no spaces, so the first word of the list ordered newest first is the newest event.
        sql.append(") UNION ALL SELECT SUBSTRING_INDEX(GROUP_CONCAT(event_id ORDER BY stream_ordering DESC"
                + " SEPARATOR ' '), ' ', 1), relates_to_id, 'm.thread', NULL, NULL, MAX(stream_ordering), 0,"
                + " COUNT(*), MAX(sender = ?) FROM event_relations WHERE room_id = ? AND rel_type = 'm.thread'"
                + " AND relates_to_id IN (");
        params.add(viewer.value());
        params.add(room);
        Columns.placeholders(sql, parents, params);
        sql.append(") GROUP BY relates_to_id");
        try (Stream<DbRow> rows = database.execute().createQuery(sql.toString()).params(params).execute()) {
            return rows.map(r -> new Row(new Child(Columns.str(r, "event_id"), Columns.str(r, "relates_to_id"),
                    Columns.str(r, "rel_type"), Columns.str(r, "type"), Columns.str(r, "sender"), null,
                    Columns.lng(r, "stream_ordering"), Columns.lng(r, "origin_server_ts")),
                    Columns.lng(r, "n"), Columns.lng(r, "mine") != 0)).toList();
        }
    }

    private static Aggregation aggregate(StoredEvent parent, List<Row> rows, UserId viewer) {
        Child edit = null;
        Child latestInThread = null;
        long threadCount = 0;
        boolean participated = parent.sender().equals(viewer.value());
        List<String> references = new ArrayList<>();
        boolean threadRoot = Relation.validThreadRoot(parent.pdu());
        // Spec: an edited event that is redacted gets no m.replace bundled; nor one that is not a valid original.
        boolean editable = !parent.isRedacted() && !parent.pdu().isState()
                && Relation.of(parent.pdu()).map(r -> !r.relType().equals(Relation.REPLACE)).orElse(true);
        for (Row row : rows) {
            Child c = row.child();
            switch (c.relType()) {
                case Relation.REPLACE -> {
                    if (editable && c.sender().equals(parent.sender()) && c.type().equals(parent.type())
                            && (edit == null || newer(c, edit))) {
                        edit = c;
                    }
                }
                case Relation.THREAD -> {
                    if (threadRoot) {
                        threadCount = row.count();
                        participated |= row.viewerParticipated();
                        latestInThread = c;
                    }
                }
                case Relation.REFERENCE -> references.add(c.eventId());
                default -> { }
            }
        }
        ThreadSummary thread = latestInThread == null ? null
                : new ThreadSummary(latestInThread.eventId(), threadCount, participated);
        return new Aggregation(edit == null ? null : edit.eventId(), thread, references);
    }

    /** Spec: the most recent edit by origin_server_ts, ties broken by the lexicographically largest event ID. */
    private static boolean newer(Child a, Child b) {
        if (a.originServerTs() != b.originServerTs()) {
            return a.originServerTs() > b.originServerTs();
        }
        return a.eventId().compareTo(b.eventId()) > 0;
    }

    private static Child child(DbRow r) {
        return new Child(Columns.str(r, "event_id"), Columns.str(r, "relates_to_id"), Columns.str(r, "rel_type"),
                Columns.str(r, "type"), Columns.str(r, "sender"), Columns.str(r, "aggregation_key"),
                Columns.lng(r, "stream_ordering"), Columns.lng(r, "origin_server_ts"));
    }
}
