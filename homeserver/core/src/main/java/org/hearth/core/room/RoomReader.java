package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.time.Clock;
import org.hearth.core.storage.Database;
import org.hearth.core.sync.RoomMembership;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Reads of rooms for the Client-Server API and sync. Timeline reads never pass {@link #currentPosition()}, so a
 * reader that remembers a position never misses an event committed late below it.
 */
public final class RoomReader {
    private final Database database;
    private final EventRepository events;
    private final StateSnapshots snapshots;
    private final StreamPositions positions;
    private final RetentionSettings retention;
    private final Clock clock;
    private final Cache<String, RoomVersion> versions = Caffeine.newBuilder().maximumSize(100_000).build();

    RoomReader(Database database, EventRepository events, StateSnapshots snapshots, StreamPositions positions,
               RetentionSettings retention, Clock clock) {
        this.retention = retention;
        this.clock = clock;
        this.database = database;
        this.events = events;
        this.snapshots = snapshots;
        this.positions = positions;
    }

    /** The highest stream position below which every event is persisted and readable. */
    public long currentPosition() {
        return positions.current();
    }

    /**
     * Below every position: where a walk back through a room's whole history ends. Backfilled history has negative
     * positions (see {@link RoomEngine#reserveHistory}).
     */
    public static final long HISTORY_START = Long.MIN_VALUE;

    /** Events this server lacks just before the oldest of the room it has (spec: backward extremities). */
    public List<String> backwardExtremities(RoomId room) {
        return events.backwardExtremities(room.value());
    }

    public record RoomInfo(RoomId roomId, RoomVersion version, String creator, long currentStateGroup) {}

    public Optional<RoomInfo> room(RoomId room) {
        return events.room(room.value()).map(r -> new RoomInfo(room, RoomVersion.find(str(r, "room_version")).orElseThrow(),
                        str(r, "creator"), lng(r, "current_state_group")));
    }

    /** The room's version, cached: it never changes. */
    public Optional<RoomVersion> version(RoomId room) {
        RoomVersion cached = versions.getIfPresent(room.value());
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<RoomVersion> found = room(room).map(RoomInfo::version);
        found.ifPresent(v -> versions.put(room.value(), v));
        return found;
    }

    public Optional<StoredEvent> event(String eventId) {
        return events.find(eventId).filter(e -> e.streamOrdering() <= positions.current());
    }

    /** The room's current state as event IDs; empty for an unknown room. */
    public Map<StateKey, String> currentStateIds(RoomId room) {
        return room(room).map(r -> snapshots.get(r.currentStateGroup())).orElse(Map.of());
    }

    public Map<StateKey, StoredEvent> currentState(RoomId room) {
        return load(currentStateIds(room));
    }

    public Optional<StoredEvent> currentStateEvent(RoomId room, String type, String stateKey) {
        String id = currentStateIds(room).get(StateKey.of(type, stateKey));
        return id == null ? Optional.empty() : events.find(id);
    }

    /** The state before {@code event} (its "state at the event" for auth), as event IDs. */
    public Map<StateKey, String> stateIdsBefore(StoredEvent event) {
        return snapshots.get(event.stateGroup());
    }

    /** The state after {@code event}: the state before it with it applied when it is a state event. */
    public Map<StateKey, String> stateIdsAfter(StoredEvent event) {
        return snapshots.get(event.stateGroupAfter());
    }

    public Map<StateKey, StoredEvent> load(Map<StateKey, String> ids) {
        Map<StateKey, StoredEvent> out = new HashMap<>();
        ids.forEach((k, id) -> events.find(id).ifPresent(e -> out.put(k, e)));
        return out;
    }

    /**
     * Accepted events of {@code room} with {@code from < position <= to} ({@code to} capped at the current
     * position), at most {@code limit}: the oldest first when {@code newestFirst} is false, else the newest first.
     */
    public List<StoredEvent> timeline(RoomId room, long from, long to, int limit, boolean newestFirst) {
        long upper = Math.min(to, positions.current());
        long minTs = expiryCutoff(room);
        return newestFirst ? events.backward(room.value(), upper, from, limit, minTs)
                : events.forward(room.value(), from, upper, limit, minTs);
    }

    /**
     * The room's effective retention {@code max_lifetime} (see {@link RetentionSettings#maxLifetime}); empty when
     * its events are kept forever.
     */
    public OptionalLong maxLifetime(RoomId room) {
        if (!retention.enabled()) {
            return OptionalLong.empty();
        }
        JsonObject content = currentStateEvent(room, RetentionSettings.EVENT_TYPE, "")
                .map(e -> e.pdu().content()).orElse(null);
        return retention.maxLifetime(content);
    }

    /**
     * The oldest {@code origin_server_ts} a non-state event of the room may have to be shown to clients: older
     * ones have expired under the room's retention policy, whether or not the purge job has removed them yet.
     */
    public long expiryCutoff(RoomId room) {
        OptionalLong max = maxLifetime(room);
        return max.isEmpty() ? Long.MIN_VALUE : clock.millis() - max.getAsLong();
    }

    /** Whether a client may no longer see {@code event} because the room's retention policy expired it. */
    public boolean expired(StoredEvent event, long cutoff) {
        return event.stateKey().isEmpty() && event.pdu().originServerTs() < cutoff;
    }

    public Optional<Membership> membership(RoomId room, UserId user) {
        return events.membership(room.value(), user.value());
    }

    /** Every room the user has a (not forgotten) membership in, with the position of that membership event. */
    public List<Membership> memberships(UserId user) {
        return events.membershipsOfUser(user.value());
    }

    public List<Membership> members(RoomId room) {
        return events.membersOfRoom(room.value());
    }

    /** {@code /forget}: only a room the user left or was banned from. */
    public boolean forget(RoomId room, UserId user) {
        return events.forget(room.value(), user.value());
    }

    /** The accepted membership events in ({@code from}, {@code to}] of the event stream, oldest first. */
    public List<RoomMembership.MembershipChange> membershipChanges(long from, long to) {
        long upper = Math.min(to, positions.current());
        List<RoomMembership.MembershipChange> out = new ArrayList<>();
        if (from >= upper || from >= events.membershipChangesUpTo()) {
            return out;
        }
        database.execute().createNamedQuery("keys-membership-changes").addParam("from", from).addParam("to", upper).execute()
                .forEach(row -> {
                    var content = Json.parseObject(str(row, "json")).get("content");
                    if (content instanceof JsonObject c && c.get("membership") instanceof JsonString m) {
                        out.add(new RoomMembership.MembershipChange(new RoomId(str(row, "room_id")),
                                new UserId(str(row, "state_key")), m.getString()));
                    }
                });
        return out;
    }
}
