package org.hearth.server;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.sync.RoomMembership;
import org.hearth.core.sync.RoomsStream;
import org.hearth.core.sync.SyncFilter;
import org.hearth.server.client.ClientEvents;
import org.hearth.server.http.Requester;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * The room engine seen by the sync streams: the {@code rooms} section of /sync from {@link RoomReader} (timelines
 * between stream positions, state at the start of the timeline, memberships), and membership for the ephemeral
 * streams. Events are formatted by the engine's {@link ClientEvents}.
 */
final class RoomEngineSync implements RoomsStream, RoomMembership {
    /** Timeline events per room when the filter sets no limit (Synapse's default). */
    static final int DEFAULT_TIMELINE_LIMIT = 10;
    /** Spec "Stripped state": what an invitee or knocker sees of the room. */
    static final Set<String> STRIPPED_TYPES = Set.of("m.room.create", "m.room.name", "m.room.avatar", "m.room.topic",
            "m.room.join_rules", "m.room.canonical_alias", "m.room.encryption");
    private static final int HEROES = 5;

    private final RoomReader reader;
    private final ClientEvents format;
    private final ServerName localServer;

    RoomEngineSync(RoomReader reader, ClientEvents format, ServerName localServer) {
        this.reader = reader;
        this.format = format;
        this.localServer = localServer;
    }

    @Override
    public long currentPosition() {
        return reader.currentPosition();
    }

    @Override
    public Rooms sync(UserId user, long from, long to, Request request) {
        SyncFilter.RoomFilter filter = request.filter();
        Requester viewer = new Requester(user, request.deviceId(), false);
        List<JoinedRoom> join = new ArrayList<>();
        List<InvitedRoom> invite = new ArrayList<>();
        List<LeftRoom> leave = new ArrayList<>();
        List<KnockedRoom> knock = new ArrayList<>();
        for (Membership m : reader.memberships(user)) {
            if (!filter.matchesRoom(m.roomId()) || m.streamOrdering() > to) {
                continue;
            }
            RoomId room = new RoomId(m.roomId());
            boolean changedNow = from > 0 && m.streamOrdering() > from;
            switch (m.membership()) {
                case Membership.JOIN -> {
                    // Joined since the last sync: the room is new to this client, so it gets it whole.
                    boolean whole = request.fullState() || from == 0 || changedNow;
                    joined(room, whole ? 0 : from, to, whole, request, viewer).ifPresent(join::add);
                }
                case Membership.INVITE -> {
                    if (from == 0 || changedNow) {
                        invite.add(new InvitedRoom(room, stripped(room, m.eventId())));
                    }
                }
                case Membership.KNOCK -> {
                    if (from == 0 || changedNow) {
                        knock.add(new KnockedRoom(room, stripped(room, m.eventId())));
                    }
                }
                case Membership.LEAVE, Membership.BAN -> {
                    if (changedNow || (from == 0 && filter.includeLeave())) {
                        leave.add(left(room, from, m.streamOrdering(), request, viewer));
                    }
                }
                default -> { }
            }
        }
        return new Rooms(join, invite, leave, knock);
    }

    private Optional<JoinedRoom> joined(RoomId room, long from, long to, boolean whole, Request request, Requester viewer) {
        SyncFilter.RoomFilter filter = request.filter();
        int limit = filter.timeline().limit().orElse(DEFAULT_TIMELINE_LIMIT);
        List<StoredEvent> newest = reader.timeline(room, from, to, limit + 1, true);
        if (newest.isEmpty() && !whole) {
            return Optional.empty();
        }
        boolean limited = newest.size() > limit;
        List<StoredEvent> events = new ArrayList<>(newest.subList(0, Math.min(limit, newest.size())));
        Collections.reverse(events);

        // Spec: "state" is the state at the start of the timeline: whole for a new room or full_state, otherwise
        // what changed between since and the timeline's start (nothing when the timeline is not limited).
        Map<StateKey, String> atStart = events.isEmpty() ? reader.currentStateIds(room)
                : reader.stateIdsBefore(events.getFirst());
        Map<StateKey, String> state;
        if (whole) {
            state = atStart;
        } else if (limited) {
            Map<StateKey, String> atSince = stateAfter(room, from);
            Map<StateKey, String> delta = new HashMap<>();
            atStart.forEach((k, id) -> {
                if (!id.equals(atSince.get(k))) {
                    delta.put(k, id);
                }
            });
            state = delta;
        } else {
            state = Map.of();
        }
        if (filter.state().lazyLoadMembers()) {
            Set<String> wanted = new HashSet<>();
            events.forEach(e -> wanted.add(e.sender()));
            wanted.add(viewer.userId().value());
            state = new HashMap<>(state);
            state.keySet().removeIf(k -> k.type().equals("m.room.member") && !wanted.contains(k.stateKey()));
        }
        List<JsonObject> stateJson = new ArrayList<>();
        for (StoredEvent e : reader.load(state).values()) {
            stateJson.add(withoutRoomId(format.format(e, viewer)));
        }
        List<JsonObject> timelineJson = new ArrayList<>();
        for (StoredEvent e : events) {
            timelineJson.add(withoutRoomId(format.format(e, viewer)));
        }
        // RoomsRoutes' pagination token: "t" + the position just before the first timeline event.
        long before = events.isEmpty() ? to : events.getFirst().streamOrdering() - 1;
        return Optional.of(new JoinedRoom(room, new Timeline(timelineJson, limited, "t" + before), stateJson,
                summary(room, viewer.userId()), null));
    }

    private LeftRoom left(RoomId room, long from, long leftAt, Request request, Requester viewer) {
        int limit = request.filter().timeline().limit().orElse(DEFAULT_TIMELINE_LIMIT);
        // Nothing after the leave is visible to the user who left.
        List<StoredEvent> newest = reader.timeline(room, from, leftAt, limit + 1, true);
        boolean limited = newest.size() > limit;
        List<StoredEvent> events = new ArrayList<>(newest.subList(0, Math.min(limit, newest.size())));
        Collections.reverse(events);
        List<JsonObject> timelineJson = new ArrayList<>();
        for (StoredEvent e : events) {
            timelineJson.add(withoutRoomId(format.format(e, viewer)));
        }
        long before = events.isEmpty() ? leftAt : events.getFirst().streamOrdering() - 1;
        return new LeftRoom(room, new Timeline(timelineJson, limited, "t" + before), List.of());
    }

    /** The room state after the last event at or before {@code position}. */
    private Map<StateKey, String> stateAfter(RoomId room, long position) {
        List<StoredEvent> last = reader.timeline(room, 0, position, 1, true);
        return last.isEmpty() ? Map.of() : reader.stateIdsAfter(last.getFirst());
    }

    private List<JsonObject> stripped(RoomId room, String membershipEventId) {
        List<JsonObject> out = new ArrayList<>();
        reader.currentState(room).forEach((key, e) -> {
            if (STRIPPED_TYPES.contains(key.type())) {
                out.add(strip(e));
            }
        });
        reader.event(membershipEventId).ifPresent(e -> out.add(strip(e)));
        return out;
    }

    private static JsonObject strip(StoredEvent e) {
        var json = e.pdu().json();
        return Json.objectBuilder().add("type", e.type()).add("state_key", e.stateKey().orElse(""))
                .add("sender", e.sender())
                .add("content", json.get("content") instanceof JsonObject c ? c : jakarta.json.JsonValue.EMPTY_JSON_OBJECT)
                .build();
    }

    /** Spec "RoomSummary": member counts, and heroes for clients to name an unnamed room. */
    private JsonObject summary(RoomId room, UserId viewer) {
        int joined = 0;
        int invited = 0;
        List<String> heroes = new ArrayList<>();
        for (Membership m : reader.members(room)) {
            boolean isJoin = m.membership().equals(Membership.JOIN);
            boolean isInvite = m.membership().equals(Membership.INVITE);
            joined += isJoin ? 1 : 0;
            invited += isInvite ? 1 : 0;
            if ((isJoin || isInvite) && !m.userId().equals(viewer.value())) {
                heroes.add(m.userId());
            }
        }
        Collections.sort(heroes);
        var heroArray = Json.arrayBuilder();
        heroes.stream().limit(HEROES).forEach(heroArray::add);
        return Json.objectBuilder().add("m.heroes", heroArray).add("m.joined_member_count", joined)
                .add("m.invited_member_count", invited).build();
    }

    private static JsonObject withoutRoomId(JsonObject event) {
        return Json.objectBuilder(event).remove("room_id").build();
    }

    @Override
    public boolean isJoined(UserId user, RoomId room) {
        return reader.membership(room, user).map(m -> m.membership().equals(Membership.JOIN)).orElse(false);
    }

    @Override
    public Set<RoomId> joinedRooms(UserId user) {
        Set<RoomId> out = new LinkedHashSet<>();
        for (Membership m : reader.memberships(user)) {
            if (m.membership().equals(Membership.JOIN)) {
                out.add(new RoomId(m.roomId()));
            }
        }
        return out;
    }

    @Override
    public Set<UserId> localMembers(RoomId room) {
        Set<UserId> out = new HashSet<>();
        for (Membership m : reader.members(room)) {
            if (m.membership().equals(Membership.JOIN)) {
                UserId user = new UserId(m.userId());
                if (user.serverName().equals(localServer)) {
                    out.add(user);
                }
            }
        }
        return out;
    }

    @Override
    public Set<UserId> usersSharingRooms(UserId user) {
        Set<UserId> out = new HashSet<>();
        for (RoomId room : joinedRooms(user)) {
            for (Membership m : reader.members(room)) {
                if (m.membership().equals(Membership.JOIN)) {
                    out.add(new UserId(m.userId()));
                }
            }
        }
        out.remove(user);
        return out;
    }
}
