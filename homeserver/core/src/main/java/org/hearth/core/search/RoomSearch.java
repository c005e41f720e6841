package org.hearth.core.search;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Spec: Client-Server API, "Server Side Search", the {@code room_events} category: the rooms a user may search
 * (joined; left and banned too with the filter's {@code include_leave}), hits from the {@link SearchIndex},
 * and of those only the events the user may see under the room's history visibility at each event.
 */
public final class RoomSearch {
    // Synapse's default page of results when the filter names no limit.
    public static final int DEFAULT_LIMIT = 10;
    public static final int MAX_LIMIT = 100;

    private final RoomReader reader;
    private final SearchIndex index;
    private final HistoryVisibility visibility;

    public RoomSearch(Rooms rooms) {
        this.reader = rooms.reader();
        this.index = rooms.search();
        this.visibility = new HistoryVisibility(reader);
    }

    /** The filter's conditions (spec: RoomEventFilter); null or empty lists mean no condition. */
    public record Filter(Collection<String> rooms, Collection<String> notRooms, Collection<String> senders,
                         Collection<String> notSenders, Collection<String> types, Collection<String> notTypes,
                         Boolean containsUrl, boolean includeLeave, int limit) {}

    public record Request(String term, Collection<String> keys, Filter filter, boolean byRank, String nextBatch) {}

    public record Hit(StoredEvent event, double rank) {}

    /** One page: the visible hits, the approximate count, the words to highlight, the token for the next page. */
    public record Result(List<Hit> hits, long count, List<String> highlights, String nextBatch) {}

    public Result search(UserId user, Request r) {
        Filter f = r.filter();
        Set<String> rooms = new LinkedHashSet<>();
        for (Membership m : reader.memberships(user)) {
            boolean allowed = m.membership().equals(Membership.JOIN) || (f.includeLeave()
                    && (m.membership().equals(Membership.LEAVE) || m.membership().equals(Membership.BAN)));
            if (allowed && (f.rooms() == null || f.rooms().contains(m.roomId()))
                    && (f.notRooms() == null || !f.notRooms().contains(m.roomId()))) {
                rooms.add(m.roomId());
            }
        }
        SearchIndex.Query q = new SearchIndex.Query(r.term(), rooms, r.keys(), f.senders(), f.notSenders(),
                f.types(), f.notTypes(), f.containsUrl());
        int limit = Math.max(1, Math.min(f.limit(), MAX_LIMIT));
        long below = Long.MAX_VALUE;
        int offset = 0;
        if (r.nextBatch() != null) {
            long token = token(r.nextBatch(), r.byRank() ? 'r' : 's');
            if (r.byRank()) {
                offset = (int) Math.min(token, Integer.MAX_VALUE);
            } else {
                below = token;
            }
        }
        below = Math.min(below, reader.currentPosition() + 1);
        Map<String, HistoryVisibility.Viewer> viewers = new HashMap<>();
        List<Hit> hits = new ArrayList<>();
        String next = null;
        Long count = null;
        paging:
        while (true) {
            int batch = Math.max(limit - hits.size(), 1) * 2;
            SearchIndex.Page result = index.search(q, r.byRank(), below, r.byRank() ? offset : 0, batch);
            List<SearchIndex.Hit> page = result.hits();
            if (count == null) {
                // Counted below the page's start for "recent": approximate, as the spec allows.
                count = page.isEmpty() && r.nextBatch() != null ? index.count(q) : result.total();
            }
            for (SearchIndex.Hit h : page) {
                if (hits.size() == limit) {
                    next = r.byRank() ? "r" + offset : "s" + below;
                    break paging;
                }
                offset++;
                below = h.streamOrdering();
                Optional<StoredEvent> event = reader.event(h.eventId())
                        .filter(e -> e.inTimeline() && !e.isRedacted());
                HistoryVisibility.Viewer viewer = viewers.computeIfAbsent(h.roomId(),
                        room -> visibility.viewer(new RoomId(room), user));
                if (event.isPresent() && viewer.canSee(event.get())) {
                    hits.add(new Hit(event.get(), h.rank()));
                }
            }
            if (page.size() < batch) {
                break;
            }
        }
        return new Result(hits, count == null ? 0 : count, SearchIndex.words(r.term()), next);
    }

    private static long token(String raw, char kind) {
        if (raw.length() > 1 && raw.charAt(0) == kind) {
            try {
                long v = Long.parseLong(raw.substring(1));
                if (v >= 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid next_batch token " + raw);
    }
}
