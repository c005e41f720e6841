package org.hearth.core.sync;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * GET /sync (spec: "Syncing"): everything new for a user between two {@link SyncToken}s, waiting on the
 * {@link Notifier} when there is nothing yet. The rooms section comes from the room engine's {@link RoomsStream};
 * ephemeral events, account data and presence from this package's streams.
 */
public final class SyncHandler {
    /** Longest long-poll: below Helidon's 5 min idle close and any proxy's usual 2-3 min. */
    public static final long MAX_TIMEOUT_MS = 120_000;

    private final RoomsStream rooms;
    private final RoomMembership membership;
    private final Notifier notifier;
    private final StreamPositions positions;
    private final TypingStream typing;
    private final ReceiptStream receipts;
    private final PresenceStream presence;
    private final AccountDataStream accountData;
    private final ToDeviceStream toDevice;
    private final DeviceListStream deviceLists;
    private volatile DeviceKeyCounts keyCounts = DeviceKeyCounts.NONE;
    private volatile UnreadCounts unreadCounts = UnreadCounts.NONE;
    private volatile org.hearth.core.port.SyncAcknowledgements acknowledgements =
            org.hearth.core.port.SyncAcknowledgements.NONE;
    private volatile org.hearth.core.port.MemberViews memberViews = org.hearth.core.port.MemberViews.EVERYONE;

    public SyncHandler(RoomsStream rooms, RoomMembership membership, Notifier notifier,
                       org.hearth.core.storage.Database database, TypingStream typing, ReceiptStream receipts,
                       PresenceStream presence, AccountDataStream accountData, ToDeviceStream toDevice,
                       DeviceListStream deviceLists) {
        this.rooms = rooms;
        this.membership = membership;
        this.notifier = notifier;
        this.positions = new StreamPositions(database);
        this.typing = typing;
        this.receipts = receipts;
        this.presence = presence;
        this.accountData = accountData;
        this.toDevice = toDevice;
        this.deviceLists = deviceLists;
    }

    /** Where unread_notifications come from (set once at wiring). */
    public void useUnreadCounts(UnreadCounts unreadCounts) {
        this.unreadCounts = unreadCounts;
    }

    /** Whose membership each viewer may see (plugins' member visibility; set once at wiring). */
    public void useMemberViews(org.hearth.core.port.MemberViews memberViews) {
        this.memberViews = memberViews;
    }

    /** Who hears that a device acknowledged a sync answer (plugins; set once at wiring). */
    public void useAcknowledgements(org.hearth.core.port.SyncAcknowledgements acknowledgements) {
        this.acknowledgements = acknowledgements;
    }

    /** A parsed /sync request; {@code since} empty for an initial sync. */
    public record Request(UserId user, String deviceId, Optional<SyncToken> since, long timeoutMs, boolean fullState,
                          Optional<String> setPresence, SyncFilter filter) {}

    public JsonObject sync(Request request) throws InterruptedException {
        boolean tracked = presence.syncStarted(request.user(), request.setPresence());
        try {
            return syncTracked(request);
        } finally {
            if (tracked) {
                presence.syncEnded(request.user());
            }
        }
    }

    private JsonObject syncTracked(Request request) throws InterruptedException {
        request.setPresence().ifPresent(p -> presence.onSync(request.user(), p));
        if (request.since().isPresent()) {
            acknowledgements.acknowledged(request.user(), request.deviceId(), request.since().get().rooms());
        }
        if (request.since().isEmpty() || request.fullState() || request.timeoutMs() <= 0) {
            return build(request, request.since().orElse(SyncToken.ZERO), current()).json();
        }
        SyncToken since = request.since().get();
        long deadline = Notifier.deadline(Math.min(request.timeoutMs(), MAX_TIMEOUT_MS));
        while (true) {
            // Registered before looking, so a change between looking and parking still wakes this request.
            try (Notifier.Waiter waiter = notifier.register(request.user())) {
                SyncToken now = current();
                if (since.isBefore(now)) {
                    Result result = build(request, since, now);
                    if (result.hasNews()) {
                        return result.json();
                    }
                    since = now;
                }
                if (!waiter.await(deadline)) {
                    return build(request, since, current()).json();
                }
            }
        }
    }

    /** The position of every stream now. */
    public SyncToken current() {
        Map<String, Long> durable = positions.current();
        return new SyncToken(rooms.currentPosition(), typing.currentPosition(),
                durable.getOrDefault(StreamPositions.RECEIPTS, 0L), durable.getOrDefault(StreamPositions.PRESENCE, 0L),
                durable.getOrDefault(StreamPositions.ACCOUNT_DATA, 0L), durable.getOrDefault(StreamPositions.TO_DEVICE, 0L),
                durable.getOrDefault(StreamPositions.DEVICE_LISTS, 0L));
    }

    private record Result(JsonObject json, boolean hasNews) {}

    private Result build(Request request, SyncToken since, SyncToken to) {
        UserId user = request.user();
        SyncFilter filter = request.filter();
        SyncFilter.RoomFilter roomFilter = filter.room();
        boolean initial = since.equals(SyncToken.ZERO);
        boolean news = false;

        boolean everyRoom = request.fullState() || initial;
        RoomsStream.Rooms roomChanges = everyRoom || since.rooms() < to.rooms()
                ? rooms.sync(user, initial ? 0 : since.rooms(), to.rooms(), new RoomsStream.Request(request.deviceId(), everyRoom, roomFilter))
                : RoomsStream.Rooms.NONE;

        Set<RoomId> joined = new HashSet<>(membership.joinedRooms(user));
        joined.removeIf(r -> !roomFilter.matchesRoom(r.value()));
        Map<RoomId, List<JsonObject>> ephemeral = new HashMap<>();
        SyncFilter.RoomEventFilter ephemeralFilter = roomFilter.ephemeral();
        // Filtered here, so a room whose only news the filter drops does not end the long-poll.
        java.util.function.BiConsumer<RoomId, JsonObject> addEphemeral = (room, event) -> {
            if (ephemeralFilter.matchesRoom(room.value()) && ephemeralFilter.events().matches(event.getString("type"), null)) {
                ephemeral.computeIfAbsent(room, r -> new ArrayList<>()).add(filter.project(event));
            }
        };
        if (since.typing() < to.typing() || initial) {
            typing.changes(joined, initial ? 0 : since.typing()).forEach(addEphemeral);
        }
        if (since.receipts() < to.receipts()) {
            receipts.changes(user, joined, since.receipts(), to.receipts()).forEach(addEphemeral);
        }
        List<JsonObject> globalData = new ArrayList<>();
        Map<RoomId, List<JsonObject>> roomData = new HashMap<>();
        if (since.accountData() < to.accountData()) {
            for (AccountDataStream.Entry e : accountData.changes(user, since.accountData(), to.accountData())) {
                JsonObject event = Json.objectBuilder().add("type", e.type()).add("content", e.content()).build();
                if (e.room() == null) {
                    if (filter.accountData().matches(e.type(), null)) {
                        globalData.add(filter.project(event));
                    }
                } else if (joined.contains(e.room()) && roomFilter.accountData().matchesRoom(e.room().value())
                        && roomFilter.accountData().events().matches(e.type(), null)) {
                    roomData.computeIfAbsent(e.room(), r -> new ArrayList<>()).add(filter.project(event));
                }
            }
        }
        if (initial && globalData.stream().noneMatch(e -> AccountDataStream.PUSH_RULES.equals(e.getString("type", null)))
                && filter.accountData().matches(AccountDataStream.PUSH_RULES, null)) {
            // An initial sync reads every entry, so none is stored: still show the server defaults, as Synapse does.
            globalData.add(filter.project(Json.objectBuilder().add("type", AccountDataStream.PUSH_RULES)
                    .add("content", PushRulesView.effective(user, Optional.empty())).build()));
        }
        List<JsonObject> presenceEvents = new ArrayList<>();
        if (since.presence() < to.presence()) {
            for (JsonObject event : presence.changes(user, since.presence(), to.presence())) {
                if (filter.presence().matches(event.getString("type"), event.getString("sender"))) {
                    presenceEvents.add(filter.project(event));
                }
            }
        }

        JsonObjectBuilder join = Json.objectBuilder();
        Set<RoomId> done = new HashSet<>();
        // One query for every room of the response; read in the same build as the timelines, so a new event
        // and its count arrive together.
        Map<RoomId, Map<String, UnreadCounts.Count>> unread = roomChanges.join().isEmpty() && ephemeral.isEmpty()
                && roomData.isEmpty() ? Map.of() : unreadCounts.unread(user);
        boolean byThread = roomFilter.timeline().unreadThreadNotifications();
        for (RoomsStream.JoinedRoom room : roomChanges.join()) {
            if (!roomFilter.matchesRoom(room.roomId().value())) {
                continue;
            }
            done.add(room.roomId());
            Optional<Set<String>> visible = memberViews.visibleMembers(room.roomId(), user);
            join.add(room.roomId().value(), joinedRoom(filter, hidden(visible, room.timeline()), hidden(visible, room.state()),
                    hiddenEphemeral(visible, ephemeral.get(room.roomId())), roomData.get(room.roomId()),
                    visible.map(v -> org.hearth.core.port.MemberViews.filterSummary(v, room.summary())).orElse(room.summary()),
                    unread.getOrDefault(room.roomId(), Map.of()), byThread));
            news = true;
        }
        Set<RoomId> extra = new HashSet<>(ephemeral.keySet());
        extra.addAll(roomData.keySet());
        extra.removeAll(done);
        for (RoomId room : extra) {
            join.add(room.value(), joinedRoom(filter, null, List.of(),
                    hiddenEphemeral(memberViews.visibleMembers(room, user), ephemeral.get(room)), roomData.get(room),
                    JsonValue.EMPTY_JSON_OBJECT, unread.getOrDefault(room, Map.of()), byThread));
            news = true;
        }
        JsonObjectBuilder invite = Json.objectBuilder();
        for (RoomsStream.InvitedRoom room : roomChanges.invite()) {
            if (roomFilter.matchesRoom(room.roomId().value())) {
                invite.add(room.roomId().value(), Json.objectBuilder()
                        .add("invite_state", Json.objectBuilder().add("events", array(room.inviteState()))));
                news = true;
            }
        }
        JsonObjectBuilder leave = Json.objectBuilder();
        for (RoomsStream.LeftRoom room : roomChanges.leave()) {
            if (roomFilter.matchesRoom(room.roomId().value())) {
                Optional<Set<String>> visible = memberViews.visibleMembers(room.roomId(), user);
                leave.add(room.roomId().value(), Json.objectBuilder()
                        .add("timeline", timeline(filter, hidden(visible, room.timeline())))
                        .add("state", Json.objectBuilder().add("events", events(filter, roomFilter.state(),
                                hidden(visible, room.state()))))
                        .add("account_data", Json.objectBuilder().add("events", array(List.of()))));
                news = true;
            }
        }
        JsonObjectBuilder knock = Json.objectBuilder();
        for (RoomsStream.KnockedRoom room : roomChanges.knock()) {
            if (roomFilter.matchesRoom(room.roomId().value())) {
                knock.add(room.roomId().value(), Json.objectBuilder()
                        .add("knock_state", Json.objectBuilder().add("events", array(room.knockState()))));
                news = true;
            }
        }
        toDevice.acknowledge(user, request.deviceId(), since.toDevice());
        ToDeviceStream.Batch deviceMessages = since.toDevice() < to.toDevice()
                ? toDevice.messages(user, request.deviceId(), since.toDevice(), to.toDevice())
                : new ToDeviceStream.Batch(List.of(), to.toDevice());
        // Spec: device_lists only in incremental syncs; an initial sync's client fetches the keys it needs itself.
        DeviceListStream.Changes deviceChanges = !initial && (since.deviceLists() < to.deviceLists() || since.rooms() < to.rooms())
                ? deviceLists.changes(user, since, to) : DeviceListStream.Changes.NONE;
        news |= !globalData.isEmpty() || !presenceEvents.isEmpty() || !deviceMessages.events().isEmpty()
                || !deviceChanges.isEmpty();
        // A device with more messages than one batch resumes after the last one delivered.
        SyncToken next = new SyncToken(to.rooms(), to.typing(), to.receipts(), to.presence(), to.accountData(),
                deviceMessages.upTo(), to.deviceLists());

        JsonObject body = Json.objectBuilder()
                .add("next_batch", next.toString())
                .add("rooms", Json.objectBuilder().add("join", join).add("invite", invite).add("leave", leave)
                        .add("knock", knock))
                .add("presence", Json.objectBuilder().add("events", limited(presenceEvents, filter.presence())))
                .add("account_data", Json.objectBuilder().add("events", limited(globalData, filter.accountData())))
                .add("to_device", Json.objectBuilder().add("events", array(deviceMessages.events())))
                .add("device_lists", Json.objectBuilder().add("changed", Json.arrayBuilder(deviceChanges.changed()))
                        .add("left", Json.arrayBuilder(deviceChanges.left())))
                .add("device_one_time_keys_count", oneTimeKeyCounts(user, request.deviceId()))
                // Spec: required, so present (empty) even before the device uploaded a fallback key, as Synapse.
                .add("device_unused_fallback_key_types", Json.arrayBuilder(request.deviceId() == null
                        ? List.of() : keyCounts.unusedFallbackKeyTypes(user, request.deviceId())))
                .build();
        return new Result(body, news);
    }

    private static RoomsStream.Timeline hidden(Optional<Set<String>> visible, RoomsStream.Timeline timeline) {
        if (visible.isEmpty() || timeline == null) {
            return timeline;
        }
        return new RoomsStream.Timeline(org.hearth.core.port.MemberViews.filterEvents(visible.get(), timeline.events()),
                timeline.limited(), timeline.prevBatch());
    }

    private static List<JsonObject> hidden(Optional<Set<String>> visible, List<JsonObject> state) {
        return visible.isEmpty() ? state : org.hearth.core.port.MemberViews.filterEvents(visible.get(), state);
    }

    private static List<JsonObject> hiddenEphemeral(Optional<Set<String>> visible, List<JsonObject> events) {
        if (visible.isEmpty() || events == null) {
            return events;
        }
        List<JsonObject> out = new ArrayList<>();
        for (JsonObject e : events) {
            JsonObject kept = org.hearth.core.port.MemberViews.filterEphemeral(visible.get(), e);
            if (kept != null) {
                out.add(kept);
            }
        }
        return out;
    }

    private JsonObjectBuilder oneTimeKeyCounts(UserId user, String deviceId) {
        JsonObjectBuilder counts = Json.objectBuilder();
        if (deviceId != null) {
            keyCounts.oneTimeKeyCounts(user, deviceId).forEach(counts::add);
        }
        return counts;
    }

    /** The end-to-end key store, once wired (the keys are built after the streams they announce changes to). */
    public void useKeyCounts(DeviceKeyCounts counts) {
        this.keyCounts = counts;
    }

    private JsonObjectBuilder joinedRoom(SyncFilter filter, RoomsStream.Timeline timeline, List<JsonObject> state,
                                         List<JsonObject> ephemeral, List<JsonObject> accountData, JsonObject summary,
                                         Map<String, UnreadCounts.Count> unread, boolean byThread) {
        SyncFilter.RoomFilter roomFilter = filter.room();
        List<JsonObject> eph = ephemeral == null ? List.of() : ephemeral;
        JsonObjectBuilder room = Json.objectBuilder()
                .add("timeline", timeline(filter, timeline))
                .add("state", Json.objectBuilder().add("events", events(filter, roomFilter.state(), state)))
                .add("ephemeral", Json.objectBuilder().add("events", limited(eph, roomFilter.ephemeral().events())))
                .add("account_data", Json.objectBuilder().add("events",
                        limited(accountData == null ? List.of() : accountData, roomFilter.accountData().events())))
                .add("summary", summary == null ? JsonValue.EMPTY_JSON_OBJECT : summary);
        unreadNotifications(room, unread, byThread);
        return room;
    }

    /**
     * Spec, sync.yaml: every thread's counts in {@code unread_notifications}; with the filter's
     * {@code unread_thread_notifications}, the main timeline's there and each thread's under its root.
     */
    private static void unreadNotifications(JsonObjectBuilder room, Map<String, UnreadCounts.Count> unread,
                                            boolean byThread) {
        long notifications = 0;
        long highlights = 0;
        JsonObjectBuilder threads = Json.objectBuilder();
        for (var e : unread.entrySet()) {
            if (!byThread || e.getKey().equals(UnreadCounts.MAIN)) {
                notifications += e.getValue().notifications();
                highlights += e.getValue().highlights();
            } else {
                threads.add(e.getKey(), counts(e.getValue().notifications(), e.getValue().highlights()));
            }
        }
        room.add("unread_notifications", counts(notifications, highlights));
        if (byThread) {
            room.add("unread_thread_notifications", threads);
        }
    }

    private static JsonObjectBuilder counts(long notifications, long highlights) {
        return Json.objectBuilder().add("notification_count", notifications).add("highlight_count", highlights);
    }

    private JsonObjectBuilder timeline(SyncFilter filter, RoomsStream.Timeline timeline) {
        JsonObjectBuilder out = Json.objectBuilder();
        if (timeline == null) {
            return out.add("events", Json.arrayBuilder()).add("limited", false);
        }
        out.add("events", events(filter, filter.room().timeline(), timeline.events())).add("limited", timeline.limited());
        if (timeline.prevBatch() != null) {
            out.add("prev_batch", timeline.prevBatch());
        }
        return out;
    }

    /** Type and sender filters and {@code event_fields} applied again over what the engine returned. */
    private static JsonArrayBuilder events(SyncFilter filter, SyncFilter.RoomEventFilter eventFilter, List<JsonObject> events) {
        JsonArrayBuilder out = Json.arrayBuilder();
        for (JsonObject e : events) {
            if (eventFilter.events().matches(e.getString("type", ""), e.getString("sender", null))) {
                out.add(filter.project(e));
            }
        }
        return out;
    }

    private static JsonArrayBuilder limited(List<JsonObject> events, SyncFilter.EventFilter filter) {
        int limit = filter.limit().orElse(Integer.MAX_VALUE);
        JsonArrayBuilder out = Json.arrayBuilder();
        events.stream().limit(limit).forEach(out::add);
        return out;
    }

    private static JsonArrayBuilder array(List<JsonObject> events) {
        JsonArrayBuilder out = Json.arrayBuilder();
        events.forEach(out::add);
        return out;
    }
}
