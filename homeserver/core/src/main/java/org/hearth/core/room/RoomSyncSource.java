package org.hearth.core.room;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.hearth.core.sync.RoomsStream;
import org.hearth.core.sync.SyncFilter;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * The {@code rooms} section of /sync read from the room engine (spec: "GET /sync", "Syncing"): the user's rooms
 * by their membership row, timelines from the event stream filtered by history visibility, and {@code state} as
 * the state before the timeline that the client does not have yet.
 */
public final class RoomSyncSource implements RoomsStream {
    // Spec, sync.yaml: the timeline limit defaults to a server choice; 10 is what Synapse and Element expect.
    static final int DEFAULT_LIMIT = 10;
    // Spec: "Stripped state", the events the spec suggests for invites and knocks.
    private static final List<String> STRIPPED_TYPES = List.of("m.room.create", "m.room.name", "m.room.avatar", "m.room.topic",
            "m.room.join_rules", "m.room.canonical_alias", "m.room.encryption");
    private static final int HEROES = 5;
    // The counts come from the push module: SyncHandler fills unread_notifications from its UnreadCounts port.
    private static final JsonObject NO_UNREAD = Json.objectBuilder().add("notification_count", 0)
            .add("highlight_count", 0).build();

    private final RoomReader reader;
    private final HistoryVisibility visibility;
    private final ClientFormat format;

    /**
     * Renders an event as a ClientEvent for one user's device ({@code unsigned.transaction_id} is for the sending
     * device only); its {@code room_id} is dropped here.
     */
    @FunctionalInterface
    public interface ClientFormat {
        JsonObject format(StoredEvent event, UserId viewer, String deviceId);

        /** A timeline page, rendered together so that per-page work (bundled aggregations) is done once. */
        default List<JsonObject> formatTimeline(List<StoredEvent> events, UserId viewer, String deviceId) {
            return events.stream().map(e -> format(e, viewer, deviceId)).toList();
        }
    }

    public RoomSyncSource(RoomReader reader, ClientFormat format) {
        this.reader = reader;
        this.visibility = new HistoryVisibility(reader);
        this.format = format;
    }

    @Override
    public long currentPosition() {
        return reader.currentPosition();
    }

    @Override
    public Rooms sync(UserId user, long from, long to, Request request) {
        boolean initial = from == 0;
        SyncFilter.RoomFilter filter = request.filter();
        int limit = filter.timeline().limit().orElse(DEFAULT_LIMIT);
        boolean lazyMembers = filter.state().lazyLoadMembers() || filter.timeline().lazyLoadMembers();
        List<JoinedRoom> join = new ArrayList<>();
        List<InvitedRoom> invite = new ArrayList<>();
        List<LeftRoom> leave = new ArrayList<>();
        List<KnockedRoom> knock = new ArrayList<>();
        Function<StoredEvent, JsonObject> render = e -> client(e, user, request.deviceId());
        Function<List<StoredEvent>, List<JsonObject>> renderTimeline = events ->
                format.formatTimeline(events, user, request.deviceId()).stream().map(RoomSyncSource::withoutRoomId).toList();
        for (Membership m : reader.memberships(user)) {
            // A membership newer than this batch is reported by the next sync, which starts at `to`.
            if (!filter.matchesRoom(m.roomId()) || m.streamOrdering() > to) {
                continue;
            }
            RoomId room = new RoomId(m.roomId());
            boolean changed = m.streamOrdering() > from;
            switch (m.membership()) {
                case Membership.JOIN -> {
                    // Joined since the last sync: the client knows nothing of the room, so it gets it whole. With
                    // full_state the timeline stays incremental (sync.yaml, full_state); only the state is whole.
                    // A join over a join (a profile change) is not a new room to the client.
                    boolean fresh = initial || (changed && !wasJoined(room, user, from));
                    boolean full = fresh || request.fullState();
                    joined(user, room, fresh ? 0 : from, to, limit, full, lazyMembers, render, renderTimeline).ifPresent(join::add);
                }
                case Membership.INVITE -> {
                    if (initial || changed) {
                        invite.add(new InvitedRoom(room, stripped(room, m)));
                    }
                }
                case Membership.KNOCK -> {
                    if (initial || changed) {
                        knock.add(new KnockedRoom(room, stripped(room, m)));
                    }
                }
                case Membership.LEAVE, Membership.BAN -> {
                    // Rooms left before an initial sync only with include_leave (sync.yaml, RoomFilter).
                    if (initial ? filter.includeLeave() : changed) {
                        leave.add(left(user, room, m, from, limit, lazyMembers, render, renderTimeline));
                    }
                }
                default -> { }
            }
        }
        return new Rooms(join, invite, leave, knock);
    }

    private Optional<JoinedRoom> joined(UserId user, RoomId room, long from, long to, int limit, boolean full,
                                        boolean lazyMembers, Function<StoredEvent, JsonObject> render,
                                        Function<List<StoredEvent>, List<JsonObject>> renderTimeline) {
        Page page = recent(room, user, from, to, limit);
        if (!full && page.events().isEmpty()) {
            return Optional.empty();
        }
        List<JsonObject> state = state(room, user, page, from, to, full, lazyMembers, render);
        return Optional.of(new JoinedRoom(room, timeline(page, renderTimeline), state, summary(room, user), NO_UNREAD));
    }

    private LeftRoom left(UserId user, RoomId room, Membership m, long from, int limit, boolean lazyMembers,
                          Function<StoredEvent, JsonObject> render,
                          Function<List<StoredEvent>, List<JsonObject>> renderTimeline) {
        // The timeline stops at the leave (or ban): later events are not the user's to see.
        Page page = recent(room, user, from, m.streamOrdering(), limit);
        boolean full = from == 0;
        return new LeftRoom(room, timeline(page, renderTimeline),
                state(room, user, page, from, m.streamOrdering(), full, lazyMembers, render));
    }

    /** The newest visible events in ({@code from}, {@code to}], oldest first; limited when more were visible. */
    private record Page(List<StoredEvent> events, boolean limited, long prevBatch) {}

    private Page recent(RoomId room, UserId user, long from, long to, int limit) {
        // Built on the first event: most rooms of an incremental sync have none, and it costs a query.
        HistoryVisibility.Viewer viewer = null;
        List<StoredEvent> picked = new ArrayList<>();
        long cursor = to;
        boolean limited = false;
        paging:
        while (true) {
            int batch = Math.max(limit - picked.size(), 1) * 2;
            List<StoredEvent> page = reader.timeline(room, from, cursor, batch, true);
            for (StoredEvent e : page) {
                cursor = e.streamOrdering() - 1;
                if (viewer == null) {
                    viewer = visibility.viewer(room, user);
                }
                if (!viewer.canSee(e)) {
                    continue;
                }
                if (picked.size() == limit) {
                    limited = true;
                    break paging;
                }
                picked.add(e);
            }
            if (page.size() < batch) {
                break;
            }
        }
        Collections.reverse(picked);
        // A /messages token "tN" is the point just after position N: backwards from it starts at N.
        long prevBatch = picked.isEmpty() ? to : picked.getFirst().streamOrdering() - 1;
        return new Page(picked, limited, prevBatch);
    }

    private static Timeline timeline(Page page, Function<List<StoredEvent>, List<JsonObject>> render) {
        return new Timeline(render.apply(page.events()), page.limited(), "t" + page.prevBatch());
    }

    /**
     * Spec, sync.yaml {@code state}: with full state, the state at the start of the timeline; otherwise only what
     * changed between {@code since} and the start of the timeline (non-empty when the timeline is limited).
     */
    private List<JsonObject> state(RoomId room, UserId user, Page page, long from, long to, boolean full,
                                   boolean lazyMembers, Function<StoredEvent, JsonObject> render) {
        Map<StateKey, String> start = page.events().isEmpty() ? stateAt(room, to)
                : reader.stateIdsBefore(page.events().getFirst());
        Map<StateKey, String> ids;
        if (full) {
            ids = new HashMap<>(start);
        } else {
            Map<StateKey, String> since = stateAt(room, from);
            ids = new HashMap<>();
            start.forEach((k, id) -> {
                if (!id.equals(since.get(k))) {
                    ids.put(k, id);
                }
            });
        }
        if (lazyMembers) {
            // Spec: "Lazy-loading room members": only the members who sent timeline events (and the user).
            Set<String> senders = new LinkedHashSet<>();
            page.events().forEach(e -> senders.add(e.sender()));
            senders.add(user.value());
            ids.keySet().removeIf(k -> k.type().equals("m.room.member") && !senders.contains(k.stateKey()));
            Set<String> inTimeline = new LinkedHashSet<>();
            page.events().forEach(e -> inTimeline.add(e.eventId()));
            for (String sender : senders) {
                StateKey key = StateKey.of("m.room.member", sender);
                String id = start.get(key);
                if (id != null && !inTimeline.contains(id)) {
                    ids.put(key, id);
                }
            }
        }
        return reader.load(ids).values().stream()
                .sorted(Comparator.comparingLong(StoredEvent::streamOrdering))
                .map(render).toList();
    }

    private boolean wasJoined(RoomId room, UserId user, long position) {
        String id = stateAt(room, position).get(StateKey.of("m.room.member", user.value()));
        return id != null && reader.event(id)
                .map(e -> Membership.JOIN.equals(e.pdu().content().getString("membership", ""))).orElse(false);
    }

    /** The state after the last event at or below {@code position}; empty before the room existed. */
    private Map<StateKey, String> stateAt(RoomId room, long position) {
        if (position <= 0) {
            return Map.of();
        }
        List<StoredEvent> last = reader.timeline(room, 0, position, 1, true);
        return last.isEmpty() ? Map.of() : reader.stateIdsAfter(last.getFirst());
    }

    private static List<JsonObject> inviteRoomState(StoredEvent invite) {
        List<JsonObject> out = new ArrayList<>();
        JsonObject unsigned = invite.pdu().json().get("unsigned") instanceof JsonObject u ? u : JsonObject.EMPTY_JSON_OBJECT;
        // Invites carry invite_room_state, knocks the knock_room_state the resident server answered.
        for (String key : List.of("invite_room_state", "knock_room_state")) {
            if (!(unsigned.get(key) instanceof jakarta.json.JsonArray state)) {
                continue;
            }
            for (var v : state) {
                if (v instanceof JsonObject o) {
                    out.add(o);
                }
            }
        }
        out.add(Json.objectBuilder().add("type", invite.type()).add("state_key", invite.stateKey().orElse(""))
                .add("sender", invite.sender()).add("content", invite.pdu().content()).build());
        return out;
    }

    /** Spec: "Stripped state" for invites and knocks, with the user's own membership event and its sender's. */
    private List<JsonObject> stripped(RoomId room, Membership m) {
        Map<StateKey, String> current = reader.currentStateIds(room);
        if (current.isEmpty()) {
            // A room of another server this one only has the invite of: the state came with the invite.
            return reader.event(m.eventId()).map(RoomSyncSource::inviteRoomState).orElse(List.of());
        }
        Set<String> ids = new LinkedHashSet<>();
        for (String type : STRIPPED_TYPES) {
            String id = current.get(StateKey.of(type, ""));
            if (id != null) {
                ids.add(id);
            }
        }
        Optional<StoredEvent> own = reader.event(m.eventId());
        own.ifPresent(e -> {
            String sender = current.get(StateKey.of("m.room.member", e.sender()));
            if (sender != null) {
                ids.add(sender);
            }
        });
        ids.add(m.eventId());
        List<JsonObject> out = new ArrayList<>();
        for (String id : ids) {
            reader.event(id).ifPresent(e -> out.add(Json.objectBuilder()
                    .add("type", e.type())
                    .add("state_key", e.stateKey().orElse(""))
                    .add("sender", e.sender())
                    .add("content", e.pdu().content())
                    .build()));
        }
        return out;
    }

    /** Spec: "Room summary"; heroes only when the room has neither a name nor a canonical alias. */
    private JsonObject summary(RoomId room, UserId user) {
        List<Membership> members = new ArrayList<>(reader.members(room));
        members.sort(Comparator.comparingLong(Membership::streamOrdering));
        long joined = members.stream().filter(m -> Membership.JOIN.equals(m.membership())).count();
        long invited = members.stream().filter(m -> Membership.INVITE.equals(m.membership())).count();
        var out = Json.objectBuilder().add("m.joined_member_count", joined).add("m.invited_member_count", invited);
        if (blank(room, "m.room.name", "name") && blank(room, "m.room.canonical_alias", "alias")) {
            List<String> heroes = heroes(members, user, Set.of(Membership.JOIN, Membership.INVITE));
            if (heroes.isEmpty()) {
                heroes = heroes(members, user, Set.of(Membership.LEAVE, Membership.BAN));
            }
            var array = Json.arrayBuilder();
            heroes.forEach(array::add);
            out.add("m.heroes", array);
        }
        return out.build();
    }

    private static List<String> heroes(List<Membership> members, UserId user, Set<String> memberships) {
        return members.stream()
                .filter(m -> memberships.contains(m.membership()) && !m.userId().equals(user.value()))
                .map(Membership::userId).limit(HEROES).toList();
    }

    private boolean blank(RoomId room, String type, String key) {
        return reader.currentStateEvent(room, type, "")
                .map(e -> e.pdu().content().getString(key, "").isEmpty()).orElse(true);
    }

    /** ClientEventWithoutRoomID: the room is the key it is listed under. */
    private JsonObject client(StoredEvent e, UserId viewer, String deviceId) {
        return withoutRoomId(format.format(e, viewer, deviceId));
    }

    private static JsonObject withoutRoomId(JsonObject json) {
        return json.containsKey("room_id") ? Json.objectBuilder(json).remove("room_id").build() : json;
    }
}
