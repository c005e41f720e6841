package org.hearth.server.client;

import static org.hearth.server.client.RoomAccess.optionalArray;
import static org.hearth.server.client.RoomAccess.optionalObject;
import static org.hearth.server.client.RoomAccess.optionalString;
import static org.hearth.server.client.RoomAccess.path;
import static org.hearth.server.client.RoomAccess.query;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import org.hearth.core.delayed.DelayedEvents;
import org.hearth.core.room.EventDraft;
import org.hearth.core.room.HistoryVisibility;
import org.hearth.core.room.RetentionSettings;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomCreation;
import org.hearth.core.room.RoomEngine;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.Rooms;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Relation;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Rooms" (creation, sending events, getting events and state, redactions, pagination);
 * mounted at /_matrix/client/v3 and /_matrix/client/r0.
 */
public final class RoomsRoutes implements HttpService {
    static final int MAX_LIMIT = 1000;
    // Backfill requests (of up to 100 events each) one /messages page may wait for.
    static final int BACKFILL_ROUNDS = 3;

    private final Consumer<UserId> invitees;
    private final Authenticator auth;
    private final JsonBody body;
    private final Rooms rooms;
    private final RoomCreation creation;
    private final ClientEvents format;
    private final RoomAccess access;
    private final EventGate gate;
    // Delayed events (MSC4140) on send and state PUTs; null where they are not served (the query parameter is ignored).
    private final DelayedEvents delayed;

    public RoomsRoutes(Authenticator auth, JsonBody body, Rooms rooms, RoomCreation creation, ClientEvents format) {
        this(auth, body, rooms, creation, format, EventGate.NONE);
    }

    public RoomsRoutes(Authenticator auth, JsonBody body, Rooms rooms, RoomCreation creation, ClientEvents format,
                       EventGate gate) {
        this(auth, body, rooms, creation, format, gate, user -> { });
    }

    /** {@code invitees}: sees each user of createRoom's {@code invite} first (see MembershipRoutes). */
    public RoomsRoutes(Authenticator auth, JsonBody body, Rooms rooms, RoomCreation creation, ClientEvents format,
                       EventGate gate, Consumer<UserId> invitees) {
        this(auth, body, rooms, creation, format, gate, invitees, null);
    }

    /** {@code delayed}: schedules sends and state PUTs that carry {@code org.matrix.msc4140.delay} (MSC4140). */
    public RoomsRoutes(Authenticator auth, JsonBody body, Rooms rooms, RoomCreation creation, ClientEvents format,
                       EventGate gate, Consumer<UserId> invitees, DelayedEvents delayed) {
        this.delayed = delayed;
        this.invitees = invitees;
        this.gate = gate;
        this.auth = auth;
        this.body = body;
        this.rooms = rooms;
        this.creation = creation;
        this.format = format;
        this.access = new RoomAccess(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/createRoom", this::createRoom)
                .put("/rooms/{roomId}/send/{eventType}/{txnId}", this::send)
                .put("/rooms/{roomId}/state/{eventType}", this::putState)
                .put("/rooms/{roomId}/state/{eventType}/", this::putState)
                .put("/rooms/{roomId}/state/{eventType}/{stateKey}", this::putState)
                .get("/rooms/{roomId}/state", this::getAllState)
                .get("/rooms/{roomId}/state/{eventType}", this::getState)
                .get("/rooms/{roomId}/state/{eventType}/", this::getState)
                .get("/rooms/{roomId}/state/{eventType}/{stateKey}", this::getState)
                .get("/rooms/{roomId}/event/{eventId}", this::getEvent)
                .put("/rooms/{roomId}/redact/{eventId}/{txnId}", this::redact)
                .get("/rooms/{roomId}/messages", this::messages)
                .get("/rooms/{roomId}/context/{eventId}", this::context)
                .get("/rooms/{roomId}/members", this::members)
                .get("/rooms/{roomId}/joined_members", this::joinedMembers)
                .any("/createRoom", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/send/{eventType}/{txnId}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/state/{eventType}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/state/{eventType}/", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/state/{eventType}/{stateKey}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/state", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/event/{eventId}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/redact/{eventId}/{txnId}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/messages", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/context/{eventId}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/members", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/joined_members", MatrixErrors::wrongMethod);
    }

    private void createRoom(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomCreation.Request request = parseCreate(body.read(req));
        request.invite().forEach(invitees);
        RoomId room = creation.create(who.userId(), request);
        Reply.json(res, 200, Json.objectBuilder().add("room_id", room.value()).build());
    }

    public static RoomCreation.Request parseCreate(JsonObject b) {
        List<UserId> invite = new ArrayList<>();
        for (JsonValue v : optionalArray(b, "invite")) {
            if (!(v instanceof JsonString s)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "invite must hold user IDs");
            }
            invite.add(RoomAccess.userId(s.getString()));
        }
        List<RoomCreation.InitialState> initial = new ArrayList<>();
        for (JsonValue v : optionalArray(b, "initial_state")) {
            if (!(v instanceof JsonObject o) || !(o.get("type") instanceof JsonString type)
                    || !(o.get("content") instanceof JsonObject content)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "initial_state entries need a type and a content object");
            }
            String stateKey = optionalString(o, "state_key");
            initial.add(new RoomCreation.InitialState(type.getString(), stateKey == null ? "" : stateKey, content));
        }
        JsonValue direct = b.get("is_direct");
        if (direct != null && direct != JsonValue.TRUE && direct != JsonValue.FALSE && direct != JsonValue.NULL) {
            throw new MatrixException(ErrorCode.BAD_JSON, "is_direct must be a boolean");
        }
        String visibility = optionalString(b, "visibility");
        if (visibility != null && !visibility.equals("public") && !visibility.equals("private")) {
            throw new MatrixException(ErrorCode.BAD_JSON, "visibility must be public or private");
        }
        return new RoomCreation.Request(visibility, optionalString(b, "room_alias_name"),
                optionalString(b, "name"), optionalString(b, "topic"), invite, optionalObject(b, "creation_content"),
                initial, optionalString(b, "room_version"), optionalString(b, "preset"), direct == JsonValue.TRUE,
                optionalObject(b, "power_level_content_override"));
    }

    private void send(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        JsonObject content = body.read(req);
        String type = path(req, "eventType");
        String redacts = null;
        if ("m.room.redaction".equals(type)) {
            redacts = optionalString(content, "redacts");
        }
        refuseBadRelation(room, content);
        refuseDuplicateAnnotation(who, type, content, path(req, "txnId"));
        refuseNestedThread(room, content);
        OptionalLong delay = delay(req);
        if (delay.isPresent()) {
            // The plugins' gate and the auth rules run when it is sent, as the user at that time.
            schedule(res, new DelayedEvents.Request(who.userId(), txnDevice(who), path(req, "txnId"), room, type, null,
                    content, appServiceTs(req, who), delay.getAsLong()));
            return;
        }
        gate.check(room, who.userId(), type, Optional.empty(), content);
        StoredEvent sent = rooms.engine().send(room, who.userId(),
                new EventDraft(type, null, content, redacts).withOriginServerTs(appServiceTs(req, who)),
                new RoomEngine.Txn(txnDevice(who), "send " + room.value() + " " + type, path(req, "txnId")));
        Reply.json(res, 200, Json.objectBuilder().add("event_id", sent.eventId()).build());
    }

    /**
     * As Synapse: a relation to an event of another room is refused (spec, "Forming relationships between events":
     * "so long as both events are in the same room"), and so is an annotation without a key or with one over 500
     * characters; nothing is stored. Other malformed relations are stored and ignored, as the spec says.
     */
    private void refuseBadRelation(RoomId room, JsonObject content) {
        if (!(content.get("m.relates_to") instanceof JsonObject relates)
                || !(relates.get("rel_type") instanceof JsonString relType)
                || !(relates.get("event_id") instanceof JsonString parentId)) {
            return;
        }
        if (Relation.ANNOTATION.equals(relType.getString())) {
            if (!(relates.get("key") instanceof JsonString key)) {
                throw new MatrixException(ErrorCode.UNKNOWN, "Missing aggregation key");
            }
            if (key.getString().length() > 500) {
                throw new MatrixException(ErrorCode.UNKNOWN, "Aggregation key is too long");
            }
        }
        if (rooms.reader().event(parentId.getString()).filter(p -> !p.roomId().equals(room.value())).isPresent()) {
            throw new MatrixException(ErrorCode.UNKNOWN, "Relations must be in the same room");
        }
    }

    /**
     * Spec, "Avoiding duplicate annotations": a second annotation by the same user with the same type and key is
     * refused (400 M_DUPLICATE_ANNOTATION); a retry of the first send (same device and transaction ID) is not one.
     */
    private void refuseDuplicateAnnotation(Requester who, String type, JsonObject content, String txnId) {
        Relation.of(content).filter(r -> r.relType().equals(Relation.ANNOTATION)).ifPresent(r -> {
            Optional<StoredEvent> earlier = rooms.relations()
                    .annotation(r.parentId(), who.userId().value(), type, r.key()).flatMap(rooms.reader()::event);
            if (earlier.isPresent() && !(txnId.equals(earlier.get().txnId())
                    && txnDevice(who).equals(earlier.get().txnDeviceId()))) {
                throw new MatrixException(ErrorCode.DUPLICATE_ANNOTATION, "You already annotated this event with "
                        + r.key());
            }
        });
    }

    /** Transaction IDs are scoped to the device; an appservice acting without one scopes them to itself (Synapse). */
    private static String txnDevice(Requester who) {
        return who.deviceId() != null ? who.deviceId() : "appservice " + who.appService().id();
    }

    /**
     * Spec "Timestamp massaging": {@code ts} sets an appservice's event's origin_server_ts (send and state only);
     * ignored for others, as Synapse does; not an integer in the canonical range is {@code M_INVALID_PARAM}.
     */
    private static Long appServiceTs(ServerRequest req, Requester who) {
        if (who.appService() == null) {
            return null;
        }
        var ts = req.query().first("ts").asOptional();
        if (ts.isEmpty()) {
            return null;
        }
        try {
            long value = Long.parseLong(ts.get());
            if (value < 0 || value > 9007199254740991L) {
                throw new NumberFormatException();
            }
            return value;
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "ts must be a non-negative integer timestamp in milliseconds");
        }
    }

    /**
     * Spec, "Validation of m.thread relationships": a thread cannot start off an event of the room that itself has
     * an {@code m.relates_to} (a reply in a thread, an edit...); the spec's note says 400 M_UNKNOWN.
     */
    private void refuseNestedThread(RoomId room, JsonObject content) {
        Relation.of(content).filter(r -> r.relType().equals(Relation.THREAD)).ifPresent(r -> {
            boolean parentRelates = rooms.reader().event(r.parentId())
                    .filter(parent -> parent.roomId().equals(room.value()))
                    .filter(parent -> parent.pdu().content().containsKey("m.relates_to"))
                    .isPresent();
            if (parentRelates) {
                throw new MatrixException(ErrorCode.UNKNOWN, "Cannot start a thread from an event with a relation");
            }
        });
    }

    private void putState(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        JsonObject content = body.read(req);
        String stateKey = req.path().pathParameters().contains("stateKey") ? path(req, "stateKey") : "";
        String type = path(req, "eventType");
        if (type.equals("m.room.member")) {
            UserId.tryParse(stateKey).orElseThrow(() -> new MatrixException(ErrorCode.BAD_JSON,
                    "m.room.member state keys are user IDs"));
        }
        if (type.equals(RetentionSettings.EVENT_TYPE)) {
            checkRetention(content);
        }
        OptionalLong delay = delay(req);
        if (delay.isPresent()) {
            schedule(res, new DelayedEvents.Request(who.userId(), txnDevice(who), null, room, type, stateKey, content,
                    appServiceTs(req, who), delay.getAsLong()));
            return;
        }
        gate.check(room, who.userId(), type, Optional.of(stateKey), content);
        StoredEvent sent = rooms.engine().send(room, who.userId(),
                EventDraft.state(type, stateKey, content).withOriginServerTs(appServiceTs(req, who)), null);
        Reply.json(res, 200, Json.objectBuilder().add("event_id", sent.eventId()).build());
    }

    /** MSC4140's {@code org.matrix.msc4140.delay} (ms), when delayed events are served; not an integer: 400. */
    private OptionalLong delay(ServerRequest req) {
        if (delayed == null) {
            return OptionalLong.empty();
        }
        Optional<String> raw = query(req, DelayedEventRoutes.DELAY_PARAM);
        if (raw.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            return OptionalLong.of(Long.parseLong(raw.get()));
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, DelayedEventRoutes.DELAY_PARAM + " must be an integer");
        }
    }

    private void schedule(ServerResponse res, DelayedEvents.Request request) {
        try {
            String delayId = delayed.schedule(request);
            Reply.json(res, 200, Json.objectBuilder().add("delay_id", delayId).build());
        } catch (DelayedEvents.DelayRefused e) {
            DelayedEventRoutes.refuse(res, e);
        }
    }

    /**
     * As Synapse's event validator: a local {@code m.room.retention} with a lifetime that is not a whole number, or a
     * min_lifetime above its max_lifetime, is refused (received over federation, such values are ignored instead).
     */
    private static void checkRetention(JsonObject content) {
        for (String key : List.of("min_lifetime", "max_lifetime")) {
            JsonValue v = content.get(key);
            if (v != null && v != JsonValue.NULL && RetentionSettings.lifetime(content, key) == null) {
                throw new MatrixException(ErrorCode.BAD_JSON,
                        "'" + key + "' of m.room.retention must be a non-negative integer");
            }
        }
        Long min = RetentionSettings.lifetime(content, "min_lifetime");
        Long max = RetentionSettings.lifetime(content, "max_lifetime");
        if (min != null && max != null && min > max) {
            throw new MatrixException(ErrorCode.BAD_JSON,
                    "'min_lifetime' of m.room.retention must not exceed 'max_lifetime'");
        }
    }

    private void getAllState(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        Map<StateKey, String> state = shownState(room, who, access.readableState(room, who));
        JsonArrayBuilder out = Json.arrayBuilder();
        rooms.reader().load(state).values().forEach(e -> out.add(format.format(e, who)));
        res.status(io.helidon.http.Status.OK_200);
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        res.send(out.build().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private void getState(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        String stateKey = req.path().pathParameters().contains("stateKey") ? path(req, "stateKey") : "";
        Map<StateKey, String> state = shownState(room, who, access.readableState(room, who));
        String id = state.get(StateKey.of(path(req, "eventType"), stateKey));
        StoredEvent event = id == null ? null : rooms.reader().event(id).orElse(null);
        if (event == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No state event of that type and key");
        }
        JsonObject formatted = format.format(event, who);
        if ("event".equals(query(req, "format").orElse("content"))) {
            Reply.json(res, 200, formatted);
        } else {
            Reply.json(res, 200, formatted.getJsonObject("content"));
        }
    }

    private void getEvent(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        StoredEvent event = visibleEvent(room, who, path(req, "eventId"));
        Reply.json(res, 200, format.formatWithRelations(event, who));
    }

    private StoredEvent visibleEvent(RoomId room, Requester who, String eventId) {
        Optional<StoredEvent> event = rooms.reader().event(eventId)
                .filter(e -> e.roomId().equals(room.value()) && e.inTimeline());
        if (event.isEmpty() || !access.visibility().viewer(room, who.userId()).canSee(event.get())) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Event not found or not visible to you");
        }
        return event.get();
    }

    private void redact(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        JsonObject content = req.content().hasEntity() ? body.read(req) : JsonValue.EMPTY_JSON_OBJECT;
        JsonObjectBuilder redactionContent = Json.objectBuilder();
        String reason = optionalString(content, "reason");
        if (reason != null) {
            redactionContent.add("reason", reason);
        }
        StoredEvent sent = rooms.engine().send(room, who.userId(),
                new EventDraft("m.room.redaction", null, redactionContent.build(), path(req, "eventId")),
                new RoomEngine.Txn(txnDevice(who), "redact " + room.value() + " " + path(req, "eventId"), path(req, "txnId")));
        Reply.json(res, 200, Json.objectBuilder().add("event_id", sent.eventId()).build());
    }

    /**
     * Pagination tokens: "t" + a stream position, the point just after that position. Backfilled history has
     * negative positions (RoomEngine.reserveHistory), so tokens below the room's first live event are negative.
     */
    static long token(String raw) {
        if (raw.length() > 1 && raw.charAt(0) == 't') {
            try {
                return Long.parseLong(raw.substring(1));
            } catch (NumberFormatException e) {
                // falls through
            }
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid pagination token " + raw);
    }

    static String token(long pos) {
        return "t" + pos;
    }

    private static int limit(ServerRequest req, int fallback) {
        String raw = query(req, "limit").orElse(null);
        if (raw == null) {
            return fallback;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit < 0) {
                throw new NumberFormatException();
            }
            return Math.min(limit, MAX_LIMIT);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "limit must be a non-negative integer");
        }
    }

    private void messages(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        access.requireHistoryAccess(room, who);
        String dir = query(req, "dir").orElse("b");
        if (!dir.equals("b") && !dir.equals("f")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "dir must be b or f");
        }
        boolean backward = dir.equals("b");
        int limit = limit(req, 10);
        EventFilter filter = EventFilter.parse(query(req, "filter").orElse(null));
        long current = rooms.reader().currentPosition();
        long from = query(req, "from").map(RoomsRoutes::token).orElse(backward ? current : RoomReader.HISTORY_START);
        Long to = query(req, "to").map(RoomsRoutes::token).orElse(null);
        HistoryVisibility.Viewer viewer = access.visibility().viewer(room, who.userId());
        Optional<Set<String>> visible = rooms.memberViews().visibleMembers(room, who.userId());

        java.util.function.Predicate<StoredEvent> shown = e -> filter.matches(e) && viewer.canSee(e) && shown(visible, e);
        long end = to != null ? to : backward ? RoomReader.HISTORY_START : current;
        HistoryPage walked = HistoryPage.walk(rooms.reader(), room, shown, from, end, limit, backward);
        // Reached the oldest events here: what this server missed (e.g. before a remote join) is asked of the
        // servers in the room, and placed below; the same walk then goes on into it.
        for (int round = 0; round < BACKFILL_ROUNDS && backward && to == null && walked.exhausted()
                && rooms.remoteHistory().backfill(room); round++) {
            walked = HistoryPage.walk(rooms.reader(), room, shown, from, end, limit, backward);
        }
        List<StoredEvent> chunk = walked.events();
        long cursor = walked.cursor();
        boolean exhausted = walked.exhausted();
        JsonArrayBuilder events = Json.arrayBuilder();
        Set<String> senders = new LinkedHashSet<>();
        format.formatPage(chunk, who).forEach(events::add);
        for (StoredEvent e : chunk) {
            senders.add(e.sender());
        }
        JsonObjectBuilder out = Json.objectBuilder().add("chunk", events).add("start", token(from));
        if (!exhausted && limit > 0) {
            out.add("end", token(cursor));
        }
        if (filter.lazyLoadMembers() && !chunk.isEmpty()) {
            JsonArrayBuilder state = Json.arrayBuilder();
            Map<StateKey, String> ids = rooms.reader().stateIdsBefore(chunk.getFirst());
            for (String sender : senders) {
                if (visible.isPresent() && !visible.get().contains(sender)) {
                    continue;
                }
                String id = ids.get(StateKey.of("m.room.member", sender));
                if (id != null) {
                    rooms.reader().event(id).ifPresent(m -> state.add(format.format(m, who)));
                }
            }
            out.add("state", state);
        }
        Reply.json(res, 200, out.build());
    }

    private void context(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        StoredEvent event = visibleEvent(room, who, path(req, "eventId"));
        int limit = limit(req, 10);
        HistoryVisibility.Viewer viewer = access.visibility().viewer(room, who.userId());
        Optional<Set<String>> visible = rooms.memberViews().visibleMembers(room, who.userId());
        if (!shown(visible, event)) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Event not found or not visible to you");
        }
        int beforeCount = limit / 2;
        int afterCount = limit - beforeCount;
        List<StoredEvent> before = rooms.reader().timeline(room, RoomReader.HISTORY_START, event.streamOrdering() - 1, beforeCount, true)
                .stream().filter(viewer::canSee).filter(e -> shown(visible, e)).toList();
        List<StoredEvent> after = rooms.reader().timeline(room, event.streamOrdering(), Long.MAX_VALUE, afterCount, false)
                .stream().filter(viewer::canSee).filter(e -> shown(visible, e)).toList();
        JsonArrayBuilder b = Json.arrayBuilder();
        List<StoredEvent> page = new ArrayList<>(before);
        page.add(event);
        page.addAll(after);
        List<JsonObject> formatted = format.formatPage(page, who);
        formatted.subList(0, before.size()).forEach(b::add);
        JsonArrayBuilder a = Json.arrayBuilder();
        formatted.subList(before.size() + 1, formatted.size()).forEach(a::add);
        JsonArrayBuilder state = Json.arrayBuilder();
        rooms.reader().load(shownState(room, who, rooms.reader().stateIdsAfter(event))).values()
                .forEach(e -> state.add(format.format(e, who)));
        long start = before.isEmpty() ? event.streamOrdering() - 1 : before.getLast().streamOrdering() - 1;
        long end = after.isEmpty() ? event.streamOrdering() : after.getLast().streamOrdering();
        Reply.json(res, 200, Json.objectBuilder()
                .add("event", formatted.get(before.size()))
                .add("events_before", b).add("events_after", a).add("state", state)
                .add("start", token(start)).add("end", token(end)).build());
    }

    private void members(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        Map<StateKey, String> state = access.readableState(room, who);
        Optional<String> at = query(req, "at");
        if (at.isPresent()) {
            long pos = token(at.get());
            List<StoredEvent> last = rooms.reader().timeline(room, RoomReader.HISTORY_START, pos, 1, true);
            if (!last.isEmpty()) {
                state = rooms.reader().stateIdsAfter(last.getFirst());
            }
        }
        state = shownState(room, who, state);
        Optional<String> membership = query(req, "membership");
        Optional<String> notMembership = query(req, "not_membership");
        JsonArrayBuilder chunk = Json.arrayBuilder();
        for (var entry : rooms.reader().load(state).entrySet()) {
            if (!entry.getKey().type().equals("m.room.member")) {
                continue;
            }
            String m = entry.getValue().pdu().content().getString("membership", "");
            if (membership.isPresent() && !membership.get().equals(m)) {
                continue;
            }
            if (notMembership.isPresent() && notMembership.get().equals(m)) {
                continue;
            }
            chunk.add(format.format(entry.getValue(), who));
        }
        Reply.json(res, 200, Json.objectBuilder().add("chunk", chunk).build());
    }

    /** State without the membership of users a member-visibility plugin hides from the viewer. */
    private Map<StateKey, String> shownState(RoomId room, Requester who, Map<StateKey, String> state) {
        Optional<Set<String>> visible = rooms.memberViews().visibleMembers(room, who.userId());
        if (visible.isEmpty()) {
            return state;
        }
        Map<StateKey, String> out = new java.util.LinkedHashMap<>(state);
        out.keySet().removeIf(k -> k.type().equals("m.room.member") && !visible.get().contains(k.stateKey()));
        return out;
    }

    private static boolean shown(Optional<Set<String>> visible, StoredEvent e) {
        return visible.isEmpty() || !e.pdu().type().equals("m.room.member")
                || e.pdu().stateKey().map(visible.get()::contains).orElse(true);
    }

    private void joinedMembers(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        boolean joined = rooms.reader().membership(room, who.userId())
                .map(m -> m.membership().equals(Membership.JOIN)).orElse(false);
        if (!joined && !access.visibility().worldReadable(room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not joined to this room");
        }
        JsonObjectBuilder out = Json.objectBuilder();
        Optional<Set<String>> visible = rooms.memberViews().visibleMembers(room, who.userId());
        for (var e : rooms.reader().currentState(room).entrySet()) {
            if (visible.isPresent() && !visible.get().contains(e.getKey().stateKey())) {
                continue;
            }
            if (e.getKey().type().equals("m.room.member")
                    && Membership.JOIN.equals(e.getValue().pdu().content().getString("membership", ""))) {
                JsonObject content = e.getValue().pdu().content();
                JsonObjectBuilder profile = Json.objectBuilder();
                if (content.get("displayname") instanceof JsonString name) {
                    profile.add("display_name", name);
                }
                if (content.get("avatar_url") instanceof JsonString avatar) {
                    profile.add("avatar_url", avatar);
                }
                out.add(e.getKey().stateKey(), profile);
            }
        }
        Reply.json(res, 200, Json.objectBuilder().add("joined", out).build());
    }
}
