package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.search.RoomSearch;
import org.hearth.core.search.SearchIndex;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Server Side Search" ({@code POST /search}); mounted at /_matrix/client/v3 and r0. */
public final class SearchRoutes implements HttpService {
    // Spec, search.yaml event_context: 5 events before and after by default. Bounded as /context's limit is.
    static final int DEFAULT_CONTEXT = 5;
    static final int MAX_CONTEXT = 100;

    private final Authenticator auth;
    private final JsonBody body;
    private final Rooms rooms;
    private final ClientEvents format;
    private final RoomSearch search;
    private final HistoryVisibility visibility;

    public SearchRoutes(Authenticator auth, JsonBody body, Rooms rooms, ClientEvents format) {
        this.auth = auth;
        this.body = body;
        this.rooms = rooms;
        this.format = format;
        this.search = new RoomSearch(rooms);
        this.visibility = new HistoryVisibility(rooms.reader());
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/search", this::search).any("/search", MatrixErrors::wrongMethod);
    }

    private record Context(int before, int after, boolean profile) {}

    private void search(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject categories = Json.requiredObject(body.read(req), "search_categories");
        String nextBatch = req.query().first("next_batch").asOptional().orElse(null);
        JsonObjectBuilder out = Json.objectBuilder();
        if (categories.get("room_events") instanceof JsonObject roomEvents) {
            out.add("room_events", roomEvents(who, roomEvents, nextBatch));
        } else if (categories.containsKey("room_events") && categories.get("room_events") != JsonValue.NULL) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'room_events' must be an object");
        }
        Reply.json(res, 200, Json.objectBuilder().add("search_categories", out).build());
    }

    private JsonObject roomEvents(Requester who, JsonObject criteria, String nextBatch) {
        String term = Json.requiredString(criteria, "search_term");
        List<String> keys = strings(criteria, "keys");
        if (keys == null) {
            keys = List.copyOf(SearchIndex.KEYS.keySet());
        }
        for (String k : keys) {
            if (!SearchIndex.KEYS.containsKey(k)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "keys must be content.body, content.name or content.topic");
            }
        }
        String orderBy = RoomAccess.optionalString(criteria, "order_by");
        if (orderBy != null && !orderBy.equals("rank") && !orderBy.equals("recent")) {
            throw new MatrixException(ErrorCode.BAD_JSON, "order_by must be rank or recent");
        }
        boolean byRank = !"recent".equals(orderBy);
        RoomSearch.Filter filter = filter(RequestBodies.optionalObject(criteria, "filter").orElse(JsonValue.EMPTY_JSON_OBJECT));
        Context context = RequestBodies.optionalObject(criteria, "event_context").map(c -> new Context(
                count(c, "before_limit"), count(c, "after_limit"),
                RequestBodies.optionalBoolean(c, "include_profile", false))).orElse(null);
        boolean includeState = RequestBodies.optionalBoolean(criteria, "include_state", false);
        Set<String> groupBy = groupings(criteria);

        RoomSearch.Result result = search.search(who.userId(),
                new RoomSearch.Request(term, keys, filter, byRank, nextBatch));
        List<StoredEvent> events = result.hits().stream().map(RoomSearch.Hit::event).toList();
        List<JsonObject> formatted = format.formatPage(events, who);
        JsonArrayBuilder results = Json.arrayBuilder();
        for (int i = 0; i < events.size(); i++) {
            JsonObjectBuilder r = Json.objectBuilder()
                    .add("rank", result.hits().get(i).rank())
                    .add("result", formatted.get(i));
            if (context != null) {
                r.add("context", context(who, events.get(i), context));
            }
            results.add(r);
        }
        JsonArrayBuilder highlights = Json.arrayBuilder();
        result.highlights().forEach(highlights::add);
        JsonObjectBuilder out = Json.objectBuilder()
                .add("results", results)
                .add("count", result.count())
                .add("highlights", highlights);
        if (result.nextBatch() != null) {
            out.add("next_batch", result.nextBatch());
        }
        Set<String> roomIds = new LinkedHashSet<>();
        events.forEach(e -> roomIds.add(e.roomId()));
        if (includeState) {
            JsonObjectBuilder state = Json.objectBuilder();
            for (String room : roomIds) {
                JsonArrayBuilder s = Json.arrayBuilder();
                rooms.reader().currentState(new RoomId(room)).values().forEach(e -> s.add(format.format(e, who)));
                state.add(room, s);
            }
            out.add("state", state);
        }
        if (!groupBy.isEmpty()) {
            JsonObjectBuilder groups = Json.objectBuilder();
            for (String key : groupBy) {
                Map<String, List<String>> byValue = new LinkedHashMap<>();
                for (StoredEvent e : events) {
                    byValue.computeIfAbsent(key.equals("room_id") ? e.roomId() : e.sender(), k -> new ArrayList<>())
                            .add(e.eventId());
                }
                JsonObjectBuilder group = Json.objectBuilder();
                int order = 0;
                for (var entry : byValue.entrySet()) {
                    JsonArrayBuilder ids = Json.arrayBuilder();
                    entry.getValue().forEach(ids::add);
                    JsonObjectBuilder g = Json.objectBuilder().add("order", order++).add("results", ids);
                    if (result.nextBatch() != null) {
                        g.add("next_batch", result.nextBatch());
                    }
                    group.add(entry.getKey(), g);
                }
                groups.add(key, group);
            }
            out.add("groups", groups);
        }
        return out.build();
    }

    /** Spec: the events around a result the user may see, and optionally their senders' profiles at the time. */
    private JsonObject context(Requester who, StoredEvent event, Context c) {
        RoomId room = new RoomId(event.roomId());
        HistoryVisibility.Viewer viewer = visibility.viewer(room, who.userId());
        List<StoredEvent> before = c.before() == 0 ? List.of()
                : rooms.reader().timeline(room, org.hearth.core.room.RoomReader.HISTORY_START, event.streamOrdering() - 1,
                        c.before(), true)
                        .stream().filter(viewer::canSee).toList();
        List<StoredEvent> after = c.after() == 0 ? List.of()
                : rooms.reader().timeline(room, event.streamOrdering(), Long.MAX_VALUE, c.after(), false)
                        .stream().filter(viewer::canSee).toList();
        JsonArrayBuilder b = Json.arrayBuilder();
        format.formatPage(before, who).forEach(b::add);
        JsonArrayBuilder a = Json.arrayBuilder();
        format.formatPage(after, who).forEach(a::add);
        long start = before.isEmpty() ? event.streamOrdering() - 1 : before.getLast().streamOrdering() - 1;
        long end = after.isEmpty() ? event.streamOrdering() : after.getLast().streamOrdering();
        JsonObjectBuilder out = Json.objectBuilder().add("events_before", b).add("events_after", a)
                .add("start", RoomsRoutes.token(start)).add("end", RoomsRoutes.token(end));
        if (c.profile()) {
            Set<String> senders = new LinkedHashSet<>();
            senders.add(event.sender());
            before.forEach(e -> senders.add(e.sender()));
            after.forEach(e -> senders.add(e.sender()));
            // "Historic" profiles: the member events in the state at the result.
            Map<StateKey, String> state = rooms.reader().stateIdsAfter(event);
            JsonObjectBuilder profiles = Json.objectBuilder();
            for (String sender : senders) {
                String id = state.get(StateKey.of("m.room.member", sender));
                JsonObjectBuilder p = Json.objectBuilder();
                if (id != null) {
                    rooms.reader().event(id).ifPresent(m -> {
                        if (m.pdu().content().get("displayname") instanceof JsonString name) {
                            p.add("displayname", name);
                        }
                        if (m.pdu().content().get("avatar_url") instanceof JsonString avatar) {
                            p.add("avatar_url", avatar);
                        }
                    });
                }
                profiles.add(sender, p);
            }
            out.add("profile_info", profiles);
        }
        return out.build();
    }

    private static RoomSearch.Filter filter(JsonObject f) {
        int limit = RoomSearch.DEFAULT_LIMIT;
        if (f.get("limit") instanceof JsonNumber n) {
            if (!n.isIntegral() || n.longValue() < 1) {
                throw new MatrixException(ErrorCode.BAD_JSON, "filter.limit must be a positive integer");
            }
            limit = (int) Math.min(n.longValue(), RoomSearch.MAX_LIMIT);
        } else if (f.containsKey("limit") && f.get("limit") != JsonValue.NULL) {
            throw new MatrixException(ErrorCode.BAD_JSON, "filter.limit must be a positive integer");
        }
        Boolean containsUrl = f.containsKey("contains_url") && f.get("contains_url") != JsonValue.NULL
                ? RequestBodies.optionalBoolean(f, "contains_url", false) : null;
        return new RoomSearch.Filter(strings(f, "rooms"), strings(f, "not_rooms"), strings(f, "senders"),
                strings(f, "not_senders"), strings(f, "types"), strings(f, "not_types"), containsUrl,
                RequestBodies.optionalBoolean(f, "include_leave", false), limit);
    }

    private static Set<String> groupings(JsonObject criteria) {
        Set<String> out = new LinkedHashSet<>();
        JsonObject groupings = RequestBodies.optionalObject(criteria, "groupings").orElse(JsonValue.EMPTY_JSON_OBJECT);
        JsonValue groupBy = groupings.get("group_by");
        if (groupBy == null || groupBy == JsonValue.NULL) {
            return out;
        }
        if (!(groupBy instanceof JsonArray a)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "group_by must be an array");
        }
        for (JsonValue v : a) {
            if (!(v instanceof JsonObject g) || !(g.get("key") instanceof JsonString key)
                    || !(key.getString().equals("room_id") || key.getString().equals("sender"))) {
                throw new MatrixException(ErrorCode.BAD_JSON, "group_by entries need a key of room_id or sender");
            }
            out.add(key.getString());
        }
        return out;
    }

    private static int count(JsonObject o, String key) {
        JsonValue v = o.get(key);
        if (v == null || v == JsonValue.NULL) {
            return DEFAULT_CONTEXT;
        }
        if (!(v instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 0) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be a non-negative integer");
        }
        return (int) Math.min(n.longValue(), MAX_CONTEXT);
    }

    /** A list of strings at {@code key}; null when absent. */
    private static List<String> strings(JsonObject o, String key) {
        JsonValue v = o.get(key);
        if (v == null || v == JsonValue.NULL) {
            return null;
        }
        if (!(v instanceof JsonArray a)) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an array of strings");
        }
        List<String> out = new ArrayList<>();
        for (JsonValue item : a) {
            if (!(item instanceof JsonString s)) {
                throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an array of strings");
            }
            out.add(s.getString());
        }
        return out;
    }
}
