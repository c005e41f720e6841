package org.hearth.core.search;

import static org.hearth.core.storage.Rows.str;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.params;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.RoundTrip;

/**
 * The searchable text of events (spec: "Server Side Search"): {@code content.body} of messages,
 * {@code content.name} and {@code content.topic} of the room's name and topic, written in the transaction that
 * persists the event (so a search right after a send finds it, and nothing is lost in a crash between the two)
 * and deleted with its redaction. Encrypted events have no cleartext and are never indexed. Matching is a MariaDB
 * InnoDB FULLTEXT index in boolean mode, every word required and matched as a prefix.
 */
public final class SearchIndex {
    /** The keys the spec defines, and the event type each is read from. */
    public static final Map<String, String> KEYS = Map.of(
            "content.body", "m.room.message", "content.name", "m.room.name", "content.topic", "m.room.topic");
    // InnoDB's innodb_ft_min_token_size default: shorter words are not in the FULLTEXT index.
    static final int MIN_INDEXED_WORD = 3;
    // Synapse's bound on one search term; longer terms are cut, not refused.
    static final int MAX_WORDS = 16;
    static final String ROOM_TOKEN_PREFIX = "zqroom";
    // Up to this many rooms are named in the FULLTEXT query itself; a user in more searches all rows of the words.
    static final int MAX_ROOM_TOKENS = 500;

    private final Database database;

    public SearchIndex(Database database) {
        this.database = database;
    }

    /** Indexes {@code event}'s searchable key, if it has one; a redaction removes its target's text. */
    public void persisted(DbExecute tx, StoredEvent event, String redacts) {
        RoundTrip writes = new RoundTrip();
        persisted(writes, List.of(event), java.util.Collections.singletonList(redacts));
        writes.send(tx);
    }

    private static final String INSERT = "INSERT INTO event_search (event_id, search_key, room_id, sender, type,"
            + " contains_url, stream_ordering, value, room_token) VALUES ";

    /**
     * {@link #persisted(DbExecute, StoredEvent, String)} for the events of one commit, in order, added to
     * {@code writes}: their rows as one multi-row statement (before a redaction's delete, which may target one).
     */
    public void persisted(RoundTrip writes, List<StoredEvent> events, List<String> redacts) {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            StoredEvent event = events.get(i);
            String redacted = redacts.get(i);
            if (redacted != null) {
                flush(writes, rows);
                writes.add(DELETE, List.of(redacted, event.roomId()));
            }
            if (!event.inTimeline()) {
                continue;
            }
            for (var key : KEYS.entrySet()) {
                if (!key.getValue().equals(event.type())) {
                    continue;
                }
                JsonObject content = event.pdu().content();
                if (content.get(key.getKey().substring("content.".length())) instanceof JsonString text
                        && !text.getString().isBlank()) {
                    java.util.Collections.addAll(rows, event.eventId(), key.getKey(), event.roomId(), event.sender(),
                            event.type(), content.get("url") instanceof JsonString, event.streamOrdering(),
                            text.getString(), roomToken(event.roomId()));
                }
            }
        }
        flush(writes, rows);
    }

    private static final String DELETE = "DELETE FROM event_search WHERE event_id = ? AND room_id = ?";

    private static void flush(RoundTrip writes, List<Object> rows) {
        if (!rows.isEmpty()) {
            writes.add(INSERT + RoundTrip.rows(rows.size() / 9, 9), List.copyOf(rows));
            rows.clear();
        }
    }

    /**
     * What to look for: {@code rooms} already narrowed to those the user may search; the filter's other
     * conditions (null or empty: no condition).
     */
    public record Query(String term, Collection<String> rooms, Collection<String> keys, Collection<String> senders,
                        Collection<String> notSenders, Collection<String> types, Collection<String> notTypes,
                        Boolean containsUrl) {}

    public record Hit(String eventId, String roomId, long streamOrdering, double rank) {}

    /** Hits of one page, and how many rows matched in all (before history visibility). */
    public record Page(List<Hit> hits, long total) {}

    /**
     * The word standing for {@code roomId} in the FULLTEXT index (V21): {@link #ROOM_TOKEN_PREFIX} and 24 hex
     * digits of its SHA-256, one token for InnoDB's parser; the same as the migration computes for older rows.
     */
    static String roomToken(String roomId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(roomId.getBytes(StandardCharsets.UTF_8));
            return ROOM_TOKEN_PREFIX + HexFormat.of().formatHex(hash, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The words of a search term, lower-cased, in order, without repeats: what highlights are made of. */
    public static List<String> words(String term) {
        Set<String> out = new LinkedHashSet<>();
        String normalized = Normalizer.normalize(term, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        for (String w : normalized.split("[^\\p{L}\\p{N}_]+")) {
            if (!w.isEmpty() && out.size() < MAX_WORDS) {
                out.add(w);
            }
        }
        return List.copyOf(out);
    }

    /**
     * Hits, best first ({@code byRank}) or newest first; {@code belowPosition} pages the newest-first order,
     * {@code offset} the ranked one.
     */
    public Page search(Query q, boolean byRank, long belowPosition, int offset, int limit) {
        List<String> words = words(q.term());
        if (words.isEmpty() || q.rooms().isEmpty()) {
            return new Page(List.of(), 0);
        }
        List<Object> params = new ArrayList<>();
        String match = booleanQuery(words);
        StringBuilder sql = new StringBuilder("SELECT event_id, room_id, stream_ordering, ");
        if (match != null) {
            // Scored on the words alone: the room tokens would add a per-room constant.
            sql.append("MATCH(value, room_token) AGAINST (? IN BOOLEAN MODE) AS score");
            params.add(match);
        } else {
            sql.append("1 AS score");
        }
        // The total in the same query: for a common word the FULLTEXT lookup is most of the cost, so a separate
        // COUNT(*) would double it (bench/RESULTS.md).
        sql.append(", COUNT(*) OVER () AS total");
        sql.append(" FROM event_search WHERE ");
        where(sql, params, q, words, match);
        if (!byRank) {
            sql.append(" AND stream_ordering < ?");
            params.add(belowPosition);
            sql.append(" ORDER BY stream_ordering DESC");
        } else {
            sql.append(" ORDER BY score DESC, stream_ordering DESC");
        }
        sql.append(" LIMIT ? OFFSET ?");
        params.add(limit);
        params.add(offset);
        long[] total = {0};
        List<Hit> hits;
        try (Stream<DbRow> rows = database.execute().createQuery(sql.toString()).params(params).execute()) {
            hits = rows.map(r -> {
                total[0] = lng(r, "total");
                return new Hit(str(r, "event_id"), str(r, "room_id"), lng(r, "stream_ordering"),
                        ((Number) r.column("score").get()).doubleValue());
            }).toList();
        }
        return new Page(hits, total[0]);
    }

    /** How many events match before history visibility is applied: the spec's "approximate" count. */
    public long count(Query q) {
        List<String> words = words(q.term());
        if (words.isEmpty() || q.rooms().isEmpty()) {
            return 0;
        }
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder("SELECT COUNT(*) AS n FROM event_search WHERE ");
        where(sql, params, q, words, booleanQuery(words));
        return database.execute().createGet(sql.toString()).params(params).execute().map(r -> lng(r, "n")).orElse(0L);
    }

    private static void where(StringBuilder sql, List<Object> params, Query q, List<String> words, String match) {
        sql.append("room_id IN (");
        placeholders(sql, q.rooms(), params);
        sql.append(")");
        if (match != null) {
            sql.append(" AND MATCH(value, room_token) AGAINST (? IN BOOLEAN MODE)");
            params.add(withRooms(match, q.rooms()));
        }
        // Words too short for the FULLTEXT index are matched by a scan of the rows the index (or the rooms) left;
        // so are words that the room tokens would match as well.
        for (String w : words) {
            if (w.length() < MIN_INDEXED_WORD || ROOM_TOKEN_PREFIX.startsWith(w) || w.startsWith(ROOM_TOKEN_PREFIX)) {
                sql.append(" AND value LIKE ?");
                params.add("%" + likeEscape(w) + "%");
            }
        }
        in(sql, params, "search_key", q.keys(), false);
        in(sql, params, "sender", q.senders(), false);
        in(sql, params, "sender", q.notSenders(), true);
        types(sql, params, q.types(), false);
        types(sql, params, q.notTypes(), true);
        if (q.containsUrl() != null) {
            sql.append(" AND contains_url = ?");
            params.add(q.containsUrl());
        }
    }

    /** "+word*" for each indexed word: all required, each a prefix (Synapse's behaviour); null when none is long enough. */
    static String booleanQuery(List<String> words) {
        StringBuilder b = new StringBuilder();
        for (String w : words) {
            if (w.length() >= MIN_INDEXED_WORD) {
                b.append(b.isEmpty() ? "" : " ").append('+').append(w).append('*');
            }
        }
        return b.isEmpty() ? null : b.toString();
    }

    /**
     * {@code match} also requiring one of the rooms' tokens, so InnoDB intersects the words' and the rooms' posting
     * lists inside the index (bench/RESULTS.md); {@code rooms} still filter the rows, so a hash collision is harmless.
     */
    static String withRooms(String match, Collection<String> rooms) {
        if (rooms.size() > MAX_ROOM_TOKENS) {
            return match;
        }
        StringBuilder b = new StringBuilder(match).append(" +(");
        boolean first = true;
        for (String room : rooms) {
            b.append(first ? "" : " ").append(roomToken(room));
            first = false;
        }
        return b.append(')').toString();
    }

    private static void in(StringBuilder sql, List<Object> params, String column, Collection<String> values,
                           boolean not) {
        if (values == null || values.isEmpty()) {
            return;
        }
        sql.append(" AND ").append(column).append(not ? " NOT IN (" : " IN (");
        placeholders(sql, values, params);
        sql.append(")");
    }

    /** Event type filters allow a trailing '*' wildcard (spec: "Filtering"). */
    private static void types(StringBuilder sql, List<Object> params, Collection<String> types, boolean not) {
        if (types == null || types.isEmpty()) {
            return;
        }
        sql.append(not ? " AND NOT (" : " AND (");
        boolean first = true;
        for (String t : types) {
            sql.append(first ? "" : " OR ");
            first = false;
            if (t.endsWith("*")) {
                sql.append("type LIKE ?");
                params.add(likeEscape(t.substring(0, t.length() - 1)) + "%");
            } else {
                sql.append("type = ?");
                params.add(t);
            }
        }
        sql.append(")");
    }

    private static String likeEscape(String s) {
        return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static void placeholders(StringBuilder sql, Collection<?> values, List<Object> params) {
        boolean first = true;
        for (Object v : values) {
            sql.append(first ? "?" : ", ?");
            params.add(v);
            first = false;
        }
    }
}
