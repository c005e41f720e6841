package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.query;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.Membership;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.sync.SyncFilter;
import org.hearth.core.sync.SyncHandler;
import org.hearth.core.sync.SyncToken;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, the deprecated pre-{@code /sync} endpoints ({@code /initialSync}, {@code /events},
 * {@code /events/{eventId}}, {@code /rooms/{roomId}/initialSync}) that older bots and bridges still call. They are
 * shapes over the same sources as {@code /sync}: the sync handler for what a user's rooms hold, the room reader and
 * history visibility for one room, so every rule of the modern endpoints holds here too.
 */
public final class LegacySyncRoutes implements HttpService {
    /** Synapse's long-poll default for {@code /events}. */
    static final long EVENTS_DEFAULT_TIMEOUT_MS = 30_000;
    static final int DEFAULT_LIMIT = 10;
    private static final int EVENTS_TIMELINE_LIMIT = 100;
    private static final long PEEK_POLL_MS = 500;

    private final Authenticator auth;
    private final SyncHandler sync;
    private final Rooms rooms;
    private final ClientEvents format;
    private final RoomAccess access;

    public LegacySyncRoutes(Authenticator auth, SyncHandler sync, Rooms rooms, ClientEvents format) {
        this.auth = auth;
        this.sync = sync;
        this.rooms = rooms;
        this.format = format;
        this.access = new RoomAccess(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/initialSync", on(Method.GET, this::initialSync));
        route(rules, "/events", on(Method.GET, this::events));
        route(rules, "/events/{eventId}", on(Method.GET, this::event));
        route(rules, "/rooms/{roomId}/initialSync", on(Method.GET, this::roomInitialSync));
    }

    private void initialSync(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        int limit = limit(query(req, "limit"));
        boolean archived = bool(query(req, "archived"), "archived");
        JsonObject synced = syncOnce(who, Optional.empty(), 0, Json.objectBuilder()
                .add("room", Json.objectBuilder().add("include_leave", archived)
                        .add("timeline", Json.objectBuilder().add("limit", limit))).build());
        JsonObject roomsJson = synced.getJsonObject("rooms");
        JsonArrayBuilder infos = Json.arrayBuilder();
        section(roomsJson, "join").forEach((id, room) -> infos.add(syncedRoom(id, "join", room)));
        section(roomsJson, "invite").forEach((id, room) -> infos.add(invitedRoom(who, RoomId.parse(id))));
        section(roomsJson, "leave").forEach((id, room) -> infos.add(syncedRoom(id,
                rooms.reader().membership(RoomId.parse(id), who.userId()).map(Membership::membership)
                        .orElse(Membership.LEAVE), room)));
        Reply.json(res, 200, Json.objectBuilder()
                .add("end", synced.getString("next_batch"))
                .add("rooms", infos)
                .add("presence", events(synced, "presence"))
                .add("account_data", events(synced, "account_data"))
                .build());
    }

    private void events(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String from = query(req, "from");
        SyncToken since = from == null ? sync.current() : SyncToken.parse(from);
        String timeoutRaw = query(req, "timeout");
        long timeout = timeoutRaw == null ? EVENTS_DEFAULT_TIMEOUT_MS : SyncRoutes.nonNegativeLong(timeoutRaw, "timeout");
        Optional<RoomId> only = Optional.ofNullable(query(req, "room_id")).map(access::roomOrAlias);
        if (only.isPresent() && !rooms.reader().membership(only.get(), who.userId())
                .map(m -> Membership.JOIN.equals(m.membership())).orElse(false)) {
            Reply.json(res, 200, peekEvents(who, only.get(), since, timeout));
            return;
        }
        var filter = Json.objectBuilder().add("timeline", Json.objectBuilder().add("limit", EVENTS_TIMELINE_LIMIT));
        only.ifPresent(room -> filter.add("rooms", Json.arrayBuilder().add(room.value())));
        JsonObject synced = syncOnce(who, Optional.of(since), timeout,
                Json.objectBuilder().add("room", filter.add("include_leave", true)).build());
        JsonArrayBuilder chunk = Json.arrayBuilder();
        JsonObject roomsJson = synced.getJsonObject("rooms");
        for (String key : List.of("join", "leave")) {
            section(roomsJson, key).forEach((id, room) -> {
                withRoomId(id, room.getJsonObject("timeline")).forEach(chunk::add);
                withRoomId(id, room.getJsonObject("ephemeral")).forEach(chunk::add);
            });
        }
        // An invite reaches the old event stream as the invite event itself.
        section(roomsJson, "invite").forEach((id, room) -> inviteEvent(who, RoomId.parse(id)).ifPresent(chunk::add));
        if (only.isEmpty()) {
            for (JsonValue presence : events(synced, "presence")) {
                chunk.add(presence);
            }
        }
        Reply.json(res, 200, Json.objectBuilder()
                .add("start", since.toString())
                .add("end", synced.getString("next_batch"))
                .add("chunk", chunk)
                .build());
    }

    /**
     * A non-member's {@code /events?room_id=} (matrix-js-sdk's peekInRoom, Element's room previews): the room's new
     * events, for world-readable rooms only. Waking is per member, so a peeker polls the room's in-memory tail.
     */
    private JsonObject peekEvents(Requester who, RoomId room, SyncToken since, long timeoutMs) {
        if (!access.visibility().worldReadable(room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a member of this room and it is not world-readable");
        }
        HistoryVisibility.Viewer viewer = access.visibility().viewer(room, who.userId());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(
                Math.min(timeoutMs, SyncHandler.MAX_TIMEOUT_MS));
        long position = since.rooms();
        List<StoredEvent> news = new ArrayList<>();
        while (true) {
            long now = rooms.reader().currentPosition();
            for (StoredEvent e : rooms.reader().timeline(room, position, now, EVENTS_TIMELINE_LIMIT, false)) {
                position = e.streamOrdering();
                if (viewer.canSee(e)) {
                    news.add(e);
                }
            }
            if (!news.isEmpty() || System.nanoTime() >= deadline) {
                position = news.isEmpty() ? Math.max(position, now) : position;
                break;
            }
            try {
                Thread.sleep(PEEK_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("peek interrupted (server stopping)", e);
            }
        }
        JsonArrayBuilder chunk = Json.arrayBuilder();
        format.formatPage(news, who).forEach(chunk::add);
        SyncToken end = new SyncToken(position, since.typing(), since.receipts(), since.presence(), since.accountData(),
                since.toDevice(), since.deviceLists());
        return Json.objectBuilder().add("start", since.toString()).add("end", end.toString()).add("chunk", chunk).build();
    }

    private void event(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        Optional<StoredEvent> event = rooms.reader().event(param(req, "eventId")).filter(StoredEvent::inTimeline);
        if (event.isEmpty() || !access.visibility().viewer(RoomId.parse(event.get().roomId()), who.userId())
                .canSee(event.get())) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Event not found or not visible to you");
        }
        Reply.json(res, 200, format.formatWithRelations(event.get(), who));
    }

    /**
     * A member's (or former member's) view comes from a sync of that one room; anyone else may only peek into a
     * world-readable room, as the spec now limits this endpoint to.
     */
    private void roomInitialSync(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        int limit = limit(query(req, "limit"));
        String membership = rooms.reader().membership(room, who.userId()).map(Membership::membership).orElse(null);
        boolean member = Membership.JOIN.equals(membership) || Membership.LEAVE.equals(membership)
                || Membership.BAN.equals(membership);
        if (member) {
            JsonObject synced = syncOnce(who, Optional.empty(), 0, Json.objectBuilder()
                    .add("room", Json.objectBuilder().add("rooms", Json.arrayBuilder().add(room.value()))
                            .add("include_leave", true)
                            .add("timeline", Json.objectBuilder().add("limit", limit)))
                    .add("presence", Json.objectBuilder().add("not_types", Json.arrayBuilder().add("*")))
                    .add("account_data", Json.objectBuilder().add("not_types", Json.arrayBuilder().add("*")))
                    .build());
            JsonObject roomsJson = synced.getJsonObject("rooms");
            JsonObject entry = section(roomsJson, Membership.JOIN.equals(membership) ? "join" : "leave").get(room.value());
            if (entry != null) {
                Reply.json(res, 200, syncedRoom(room.value(), membership, entry));
                return;
            }
            // A former member whose room the sync does not list (forgotten): only what history visibility allows.
        }
        if (!access.visibility().worldReadable(room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a member of this room");
        }
        Reply.json(res, 200, peekedRoom(who, room, limit));
    }

    private JsonObject peekedRoom(Requester who, RoomId room, int limit) {
        JsonArrayBuilder state = Json.arrayBuilder();
        rooms.reader().load(access.readableState(room, who)).values().forEach(e -> state.add(format.format(e, who)));
        HistoryVisibility.Viewer viewer = access.visibility().viewer(room, who.userId());
        long end = rooms.reader().currentPosition();
        List<StoredEvent> chronological = HistoryPage.walk(rooms.reader(), room, viewer::canSee, end,
                org.hearth.core.room.RoomReader.HISTORY_START, limit, true)
                .events().reversed();
        JsonArrayBuilder chunk = Json.arrayBuilder();
        format.formatPage(chronological, who).forEach(chunk::add);
        var messages = Json.objectBuilder().add("chunk", chunk).add("end", RoomsRoutes.token(end));
        if (!chronological.isEmpty()) {
            messages.add("start", RoomsRoutes.token(chronological.getFirst().streamOrdering() - 1));
        }
        return Json.objectBuilder()
                .add("room_id", room.value())
                .add("membership", Membership.LEAVE)
                .add("messages", messages)
                .add("state", state)
                .add("visibility", visibility(room))
                .add("account_data", Json.arrayBuilder())
                .build();
    }

    /** A room as the old API shows it, from the room's entry in a /sync answer. */
    private JsonObject syncedRoom(String roomId, String membership, JsonObject room) {
        JsonObject timeline = room.getJsonObject("timeline");
        // The state of a sync entry is the state before its timeline: the state events of the timeline come after.
        Map<String, JsonObject> state = new LinkedHashMap<>();
        for (JsonObject e : withRoomId(roomId, room.getJsonObject("state"))) {
            state.put(e.getString("type") + "\u0000" + e.getString("state_key"), e);
        }
        List<JsonObject> messages = withRoomId(roomId, timeline);
        for (JsonObject e : messages) {
            if (e.containsKey("state_key")) {
                state.put(e.getString("type") + "\u0000" + e.getString("state_key"), e);
            }
        }
        JsonArrayBuilder chunk = Json.arrayBuilder();
        messages.forEach(chunk::add);
        var page = Json.objectBuilder().add("chunk", chunk)
                .add("end", RoomsRoutes.token(rooms.reader().currentPosition()));
        if (timeline != null && timeline.containsKey("prev_batch")) {
            page.add("start", timeline.getString("prev_batch"));
        }
        JsonArrayBuilder stateOut = Json.arrayBuilder();
        state.values().forEach(stateOut::add);
        JsonObject accountData = room.getJsonObject("account_data");
        return Json.objectBuilder()
                .add("room_id", roomId)
                .add("membership", membership)
                .add("messages", page)
                .add("state", stateOut)
                .add("visibility", visibility(RoomId.parse(roomId)))
                .add("account_data", accountData == null ? JsonValue.EMPTY_JSON_ARRAY
                        : accountData.getJsonArray("events"))
                .build();
    }

    private JsonObject invitedRoom(Requester who, RoomId room) {
        var out = Json.objectBuilder().add("room_id", room.value()).add("membership", Membership.INVITE)
                .add("visibility", visibility(room));
        inviteEvent(who, room).ifPresent(invite -> out.add("invite", invite));
        return out.build();
    }

    private Optional<JsonObject> inviteEvent(Requester who, RoomId room) {
        return rooms.reader().membership(room, who.userId())
                .filter(m -> Membership.INVITE.equals(m.membership()))
                .flatMap(m -> rooms.reader().event(m.eventId()))
                .map(e -> format.format(e, who));
    }

    private String visibility(RoomId room) {
        return rooms.directory().isPublished(room) ? "public" : "private";
    }

    private JsonObject syncOnce(Requester who, Optional<SyncToken> since, long timeoutMs, JsonObject filter) {
        try {
            // The old endpoints never set presence: only /sync's set_presence (and activity) does.
            return sync.sync(new SyncHandler.Request(who.userId(), who.deviceId(), since, timeoutMs, false,
                    Optional.empty(), SyncFilter.parse(filter)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sync interrupted (server stopping)", e);
        }
    }

    private static Map<String, JsonObject> section(JsonObject roomsJson, String key) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        if (roomsJson != null && roomsJson.containsKey(key)) {
            roomsJson.getJsonObject(key).forEach((id, v) -> out.put(id, v.asJsonObject()));
        }
        return out;
    }

    private static JsonArray events(JsonObject synced, String key) {
        JsonObject part = synced.getJsonObject(key);
        return part == null || !part.containsKey("events") ? JsonValue.EMPTY_JSON_ARRAY : part.getJsonArray("events");
    }

    /** The events of a sync list ({@code {"events": [...]}}), each with the {@code room_id} /sync leaves out. */
    private static List<JsonObject> withRoomId(String roomId, JsonObject list) {
        List<JsonObject> out = new ArrayList<>();
        if (list != null && list.containsKey("events")) {
            for (JsonValue v : list.getJsonArray("events")) {
                out.add(Json.objectBuilder(v.asJsonObject()).add("room_id", roomId).build());
            }
        }
        return out;
    }

    private static int limit(String raw) {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        long limit = SyncRoutes.nonNegativeLong(raw, "limit");
        return (int) Math.min(limit, RoomsRoutes.MAX_LIMIT);
    }

    private static boolean bool(String raw, String name) {
        if (raw == null || raw.equals("false")) {
            return false;
        }
        if (raw.equals("true")) {
            return true;
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, name + " must be true or false");
    }
}
