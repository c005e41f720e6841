package org.hearth.core.room;

import org.hearth.core.storage.Rows;
import static org.hearth.core.storage.Rows.lng;
import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.helidon.dbclient.DbExecute;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.port.EventPushActions;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.RoundTrip;
import org.hearth.spec.auth.AuthResult;
import org.hearth.spec.auth.AuthRules;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.EventFormat;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.EventSigning;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.EventIdFormat;
import org.hearth.spec.room.RoomVersion;
import org.hearth.spec.stateres.StateResolver;

/**
 * Builds, authorizes and persists the events this server's users send. Sends to one room are serialized by a
 * per-room lock (other rooms go on in parallel); each call persists its events, edges, state groups, stream
 * positions and transaction mapping in one database transaction, so a return means durable.
 */
public final class RoomEngine {
    static final String CREATE = "m.room.create";
    static final String MEMBER = "m.room.member";
    static final String REDACTION = "m.room.redaction";
    static final StateKey CREATE_KEY = StateKey.of(CREATE, "");
    // Events committed together at most: bounds one transaction's size and the wait of the first sender.
    static final int MAX_BATCH = 64;

    private final Database database;
    private final String serverName;
    private final SigningKey signingKey;
    private final Clock clock;
    private final EventNotifier notifier;
    private final EventRepository events;
    private final StateSnapshots snapshots;
    // Commits not yet visible to readers, by their last stream position (see notify).
    private final java.util.concurrent.ConcurrentSkipListMap<Long, Persisted> unpublished =
            new java.util.concurrent.ConcurrentSkipListMap<>();
    private final StreamPositions positions;
    private final EventIndex index;
    private final SecureRandom random = new SecureRandom();
    // Weak values: a lock lives while some thread holds or waits on it, so two threads never get different locks.
    private final LoadingCache<String, RoomSlot> slots = Caffeine.newBuilder().weakValues()
            .build(k -> new RoomSlot());
    // How well group commit groups: sends per batch = batchedSends / batches.
    final java.util.concurrent.atomic.LongAdder batches = new java.util.concurrent.atomic.LongAdder();
    final java.util.concurrent.atomic.LongAdder batchedSends = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder receivedCommits = new java.util.concurrent.atomic.LongAdder();
    // Transaction IDs committed lately, for retries that raced their original past the database check.
    private final Cache<String, String> recentTxns = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(java.time.Duration.ofMinutes(10)).build();
    private final Cache<String, RoomHead> heads = Caffeine.newBuilder().maximumSize(10_000).build();
    // The lowest position given to backfilled history (MAX_VALUE: not read from the database yet).
    private final java.util.concurrent.atomic.AtomicLong historyFloor =
            new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
    private volatile EventPushActions pushActions = EventPushActions.NONE;
    private volatile org.hearth.core.port.OutboundPdus outbound = org.hearth.core.port.OutboundPdus.NONE;

    RoomEngine(Database database, String serverName, SigningKey signingKey, Clock clock, EventNotifier notifier,
               EventRepository events, StateSnapshots snapshots, StreamPositions positions, EventIndex index) {
        this.database = database;
        this.index = index;
        this.serverName = serverName;
        this.signingKey = signingKey;
        this.clock = clock;
        this.notifier = notifier;
        this.events = events;
        this.snapshots = snapshots;
        this.positions = positions;
    }

    /**
     * A client's transaction ID for idempotent sends (spec: "Transaction identifiers"): scoped to the device and
     * to {@code scope}, the request path without the transaction ID (e.g. "send !room:x m.room.message").
     */
    public record Txn(String deviceId, String scope, String txnId) {}

    /** One event to build: who sends it, what, and the client's transaction ID if any. */
    private record Item(UserId sender, EventDraft draft, Txn txn) {}

    /** A send waiting for its room's writer; its outcome is set by whichever sender leads the batch. */
    private static final class Pending {
        final Item item;
        final Semaphore signal = new Semaphore(0);
        volatile boolean done;
        volatile StoredEvent result;
        volatile RuntimeException error;

        Pending(Item item) {
            this.item = item;
        }
    }

    /** A room's lock and the sends queued for it. */
    private static final class RoomSlot {
        final ReentrantLock lock = new ReentrantLock();
        final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    }

    /**
     * Sends one event as {@code sender}. With {@code txn}, a retry returns the event first sent under it.
     * {@code M_NOT_FOUND} for an unknown room, {@code M_FORBIDDEN} with the rule's reason when not allowed.
     *
     * <p>Sends to one room queue up; whoever holds the room's lock builds every queued event in order and commits
     * them together (group commit), so concurrent senders share one commit instead of waiting for one each.
     */
    public StoredEvent send(RoomId room, UserId sender, EventDraft draft, Txn txn) {
        if (txn != null) {
            // Memory only: a retry of a send committed lately. An older one (before a restart, or forgotten) is
            // found by the commit itself (DuplicateTxn), which saves a query on every send.
            Optional<StoredEvent> earlier = recentSend(sender, txn);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        RoomSlot slot = slots.get(room.value());
        Pending mine = new Pending(new Item(sender, draft, txn));
        slot.queue.add(mine);
        List<Persisted> commits = new ArrayList<>();
        // A sender that gets the lock leads: it commits what is queued until its own send is done. The others
        // wait on their own signal, not on the lock, so they return as soon as their batch commits.
        while (!mine.done) {
            if (slot.lock.tryLock()) {
                try {
                    while (!mine.done) {
                        List<Pending> batch = new ArrayList<>();
                        for (Pending p; batch.size() < MAX_BATCH && (p = slot.queue.poll()) != null; ) {
                            batch.add(p);
                        }
                        Persisted persisted = sendBatch(room, batch);
                        if (persisted != null) {
                            commits.add(persisted);
                        }
                    }
                } finally {
                    unlockAndHandOver(slot);
                }
            } else {
                mine.signal.acquireUninterruptibly();
            }
        }
        commits.forEach(this::notify);
        // A failed batch settles positions too, which may make other rooms' commits visible.
        publishVisible();
        if (mine.error != null) {
            throw mine.error;
        }
        return mine.result;
    }

    /** Commits that placed PDUs received from other servers ({@link #receive}, {@link #receiveChain}) so far. */
    public long receivedCommits() {
        return receivedCommits.sum();
    }

    /** Unlocks and wakes the oldest waiting send, which then leads the next batch (or finds its send done). */
    private static void unlockAndHandOver(RoomSlot slot) {
        slot.lock.unlock();
        Pending next = slot.queue.peek();
        if (next != null) {
            next.signal.release();
        }
    }

    /** Caller holds the room's lock. Each send gets its event or its own error; one commit for all that passed. */
    private Persisted sendBatch(RoomId room, List<Pending> batch) {
        batches.increment();
        batchedSends.add(batch.size());
        List<Object> outcomes = new ArrayList<>();
        List<Long> allocated = new ArrayList<>();
        Persisted persisted = null;
        List<Pending> todo = new ArrayList<>(batch);
        Map<Pending, Object> answered = new java.util.IdentityHashMap<>();
        try {
            while (true) {
                outcomes.clear();
                try {
                    RoomHead head = head(room.value());
                    persisted = todo.isEmpty() ? null : persist(head, todo.stream().map(p -> p.item).toList(), false,
                            tx -> {}, null, 0, allocated, outcomes);
                    break;
                } catch (DuplicateTxn d) {
                    // Retries of sends committed earlier: they get that event, the others are built again without them.
                    for (var it = todo.iterator(); it.hasNext(); ) {
                        Pending p = it.next();
                        String id = d.earlier.get(p.item);
                        if (id != null) {
                            it.remove();
                            answered.put(p, events.find(id).<Object>map(e -> e).orElseGet(() ->
                                    new IllegalStateException("event " + id + " of an earlier send is gone")));
                        }
                    }
                }
            }
        } catch (RuntimeException | Error e) {
            // Every waiter must get an answer, or it would wait forever on its signal.
            RuntimeException failure = e instanceof RuntimeException r ? r : new IllegalStateException(e);
            outcomes.clear();
            todo.forEach(p -> outcomes.add(failure));
        } finally {
            allocated.forEach(positions::settle);
        }
        for (int i = 0; i < todo.size(); i++) {
            answered.put(todo.get(i), outcomes.get(i));
        }
        for (Pending p : batch) {
            Object outcome = answered.get(p);
            if (outcome instanceof StoredEvent e) {
                p.result = e;
            } else {
                p.error = (RuntimeException) outcome;
            }
            p.done = true;
            p.signal.release();
        }
        return persisted;
    }

    /** Sends several events in a row, all in one transaction: all are persisted or none. */
    public List<StoredEvent> sendAll(RoomId room, UserId sender, List<EventDraft> drafts) {
        RoomSlot slot = slots.get(room.value());
        Persisted persisted;
        List<Long> allocated = new ArrayList<>();
        slot.lock.lock();
        try {
            persisted = persist(head(room.value()), items(sender, drafts), true, tx -> {}, null, 0, allocated,
                    new ArrayList<>());
        } finally {
            allocated.forEach(positions::settle);
            unlockAndHandOver(slot);
            publishVisible();
        }
        notify(persisted);
        return persisted.events();
    }

    private static List<Item> items(UserId sender, List<EventDraft> drafts) {
        return drafts.stream().map(d -> new Item(sender, d, null)).toList();
    }

    /** Push actions are recorded in each commit's transaction (set once at wiring). */
    public void usePushActions(EventPushActions pushActions) {
        this.pushActions = pushActions;
    }

    /** Local events are queued for other servers in each commit's transaction (set once at wiring). */
    public void useOutbound(org.hearth.core.port.OutboundPdus outbound) {
        this.outbound = outbound;
    }

    /** What one commit changed, told to the notifier once the room's lock is released. */
    private record Persisted(RoomId room, List<StoredEvent> events, Set<UserId> membershipChanged) {}

    /**
     * Tells the notifier about a commit once readers can see it. A commit whose position is above one still in
     * flight in another room is not visible yet (readers stop at {@link StreamPositions#current()}); it waits here
     * and is told when a later settle makes it visible, or its room's members would wake, see nothing, and sleep
     * until their long-poll times out.
     */
    private void notify(Persisted p) {
        if (p != null && !p.events().isEmpty()) {
            unpublished.put(p.events().getLast().streamOrdering(), p);
        }
        publishVisible();
    }

    private void publishVisible() {
        long visible = positions.current();
        for (Map.Entry<Long, Persisted> e; (e = unpublished.firstEntry()) != null && e.getKey() <= visible; ) {
            if (unpublished.remove(e.getKey(), e.getValue())) {
                Persisted p = e.getValue();
                notifier.eventsPersisted(p.room(), e.getKey(), p.membershipChanged());
            }
        }
    }

    private Optional<StoredEvent> recentSend(UserId sender, Txn txn) {
        String committed = recentTxns.getIfPresent(txnKey(sender, txn));
        return committed == null ? Optional.empty() : events.find(committed);
    }

    private static String txnKey(UserId sender, Txn txn) {
        return sender.value() + "\n" + txn;
    }

    /**
     * Thrown in a commit (rolling it back) whose transaction IDs include some committed before: each item maps to
     * the event sent under it then.
     */
    private static final class DuplicateTxn extends RuntimeException {
        final Map<Item, String> earlier;

        DuplicateTxn(Map<Item, String> earlier) {
            super(null, null, false, false);
            this.earlier = earlier;
        }
    }

    /**
     * Creates a room: {@code createContent} becomes the create event's content, then {@code drafts} follow, all
     * sent by {@code creator} and persisted with {@code extra} in one transaction.
     */
    public RoomId create(RoomVersion version, UserId creator, JsonObject createContent, List<EventDraft> drafts,
                         BiConsumer<DbExecute, RoomId> extra) {
        long now = clock.millis();
        String roomId = version.roomIdFromCreateEvent() ? null : "!" + randomId(18) + ":" + serverName;
        JsonObjectBuilder b = Json.objectBuilder()
                .add("type", CREATE).add("state_key", "").add("sender", creator.value())
                .add("content", createContent).add("origin_server_ts", now).add("depth", 1)
                .add("prev_events", Json.arrayBuilder()).add("auth_events", Json.arrayBuilder());
        if (roomId != null) {
            b.add("room_id", roomId);
        }
        if (version.eventIds() == EventIdFormat.SERVER_CHOSEN) {
            b.add("event_id", "$" + randomId(18) + ":" + serverName).add("origin", serverName);
        }
        JsonObject signed = EventSigning.hashAndSign(version, b.build(), serverName, signingKey);
        Pdu create = EventFormat.validate(version, signed);
        if (roomId == null) {
            roomId = EventIds.roomIdOfCreateEvent(version, signed);
        }
        switch (AuthRules.check(version, create, Map.of())) {
            case AuthResult.Allowed() -> { }
            case AuthResult.Rejected(String reason) -> throw new MatrixException(ErrorCode.INVALID_ROOM_STATE, reason);
        }
        RoomSlot slot = slots.get(roomId);
        slot.lock.lock();
        List<Long> allocated = new ArrayList<>();
        Persisted persisted;
        try {
            long position = positions.allocate();
            allocated.add(position);
            RoomHead empty = new RoomHead(roomId, version, List.of(), 0, StateSnapshots.EMPTY);
            RoomId id = new RoomId(roomId);
            persisted = persist(empty, items(creator, drafts), true, tx -> extra.accept(tx, id), create, position,
                    allocated, new ArrayList<>());
        } finally {
            allocated.forEach(positions::settle);
            unlockAndHandOver(slot);
            publishVisible();
        }
        notify(persisted);
        return persisted.room();
    }

    /** A remote PDU that cannot be placed: some of its prev_events are not known here. */
    public static final class MissingPrevEvents extends RuntimeException {
        public final List<String> missing;

        MissingPrevEvents(List<String> missing) {
            super("prev_events not known: " + missing);
            this.missing = missing;
        }
    }

    /**
     * Persists a PDU received from another server, already checked for format, signatures and hash (spec: "Checks
     * performed on receipt of a PDU", steps 4 to 6 here). Its state before is the state after its prev event, or the
     * resolution of its prev events' states. An event failing auth against its auth_events or against that state is
     * stored rejected (with the reason; never in timelines, extremities or state). Failing only against the current
     * state, it is stored soft-failed. An auth event not known here refuses it with {@code M_FORBIDDEN}, not
     * stored. An outlier reached this way is placed in the DAG. Returns the stored event (the earlier one when
     * already placed).
     */
    public StoredEvent receive(RoomId room, Pdu pdu) {
        return receive(room, pdu, null);
    }

    /**
     * As {@link #receive(RoomId, Pdu)}, for an event whose prev_events are not all known here: {@code stateBefore}
     * (e.g. from the sender's {@code /state_ids} at its prev events) is its state before, and its events must be
     * known here (as outliers at least). Null: the prev events must be known.
     */
    public StoredEvent receive(RoomId room, Pdu pdu, Map<StateKey, String> stateBefore) {
        RoomSlot slot = slots.get(room.value());
        Persisted persisted;
        StoredEvent result;
        List<Long> allocated = new ArrayList<>();
        slot.lock.lock();
        try {
            Optional<StoredEvent> known = events.find(pdu.eventId());
            if (known.isPresent() && !known.get().outlier()) {
                return known.get();
            }
            boolean wasOutlier = known.isPresent();
            RoomHead head = head(room.value());
            RoomVersion version = head.version();
            List<StoredEvent> prevs = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            splitPrevEvents(room, pdu, prevs, missing);
            if (stateBefore == null && (!missing.isEmpty() || prevs.isEmpty())) {
                throw new MissingPrevEvents(missing);
            }
            StateBefore sb = stateBefore(version, prevs, stateBefore);
            Map<StateKey, String> before = sb.state();
            long beforeGroup = sb.group();
            String rejection = rejection(room, version, pdu, before);
            Map<String, Pdu> none = Map.of();
            boolean rejected = rejection != null;
            String rejectedReason = rejection;
            Map<StateKey, String> current = snapshots.get(head.currentStateGroup());
            // An event later ones already point at (an outlier reached going backwards) is history: it changes
            // neither the extremities nor the current state, and is not soft-failed against the present.
            boolean history = wasOutlier && events.referenced(pdu.eventId());
            boolean softFailed = !rejected && !history
                    && AuthRules.check(version, pdu, authState(version, pdu, current::get, none))
                    instanceof AuthResult.Rejected;
            boolean placed = !rejected && !softFailed && !history;
            long position = positions.allocate();
            allocated.add(position);
            String roomId = room.value();
            List<String> replaced = head.extremities().stream().filter(pdu.prevEvents()::contains).toList();
            List<String> newExtremities = new ArrayList<>(head.extremities());
            newExtremities.removeAll(replaced);
            newExtremities.add(pdu.eventId());
            Set<UserId> membershipChanged = new LinkedHashSet<>();
            long[] groups = new long[3];
            // This server's own event coming back through here (an invite the invitee's server co-signed): queued
            // for the other servers in its commit, as a local send is. Read before the transaction (one connection).
            boolean own = placed && UserId.tryParse(pdu.sender()).map(UserId::domain).filter(serverName::equals)
                    .isPresent();
            Set<String> destinations = own ? outbound.destinations(room) : Set.of();
            StoredEvent stored = database.transaction(tx -> {
                if (wasOutlier) {
                    events.deleteOutlier(tx, pdu.eventId());
                }
                long bg = beforeGroup >= 0 ? beforeGroup : snapshots.create(tx, roomId, StateSnapshots.EMPTY, before);
                // Spec: a rejected event changes no state.
                long after = pdu.isState() && !rejected
                        ? snapshots.create(tx, roomId, bg, Map.of(pdu.stateTuple().orElseThrow(), pdu.eventId()))
                        : bg;
                StoredEvent e = new StoredEvent(pdu, roomId, position, rejected, softFailed, null, bg, after, null, null,
                        false, rejectedReason);
                events.insert(tx, e);
                long currentGroup = head.currentStateGroup();
                if (history && !rejected) {
                    index.persisted(tx, e, redactsOf(version, pdu));
                }
                if (placed) {
                    index.persisted(tx, e, redactsOf(version, pdu));
                    events.replaceExtremities(tx, roomId, replaced, pdu.eventId());
                    if (newExtremities.size() == 1) {
                        currentGroup = after;
                    } else if (pdu.isState() || !before.equals(current)) {
                        // A fork: the new current state resolves the old one with this branch's.
                        Map<StateKey, String> resolved = StateResolver.resolve(version,
                                List.of(current, snapshots.get(after)),
                                id -> id.equals(pdu.eventId()) ? pdu : events.find(id).map(StoredEvent::pdu).orElse(null));
                        currentGroup = snapshots.create(tx, roomId, StateSnapshots.EMPTY, resolved);
                    }
                    events.setCurrentState(tx, roomId, currentGroup);
                    if (MEMBER.equals(pdu.type())) {
                        String target = pdu.stateKey().orElseThrow();
                        events.upsertMembership(tx, roomId, target, pdu.content().getString("membership", ""),
                                pdu.eventId(), position);
                        UserId.tryParse(target).ifPresent(membershipChanged::add);
                    }
                    pushActions.persisting(tx, room, version, List.of(e), k -> {
                        String id = before.get(k);
                        return id == null ? null : events.find(id).map(StoredEvent::pdu).orElse(null);
                    });
                    if (own) {
                        outbound.persisting(tx, destinations, List.of(e));
                    }
                }
                groups[0] = currentGroup;
                return e;
            });
            receivedCommits.increment();
            events.committed(stored);
            if (placed) {
                long depth = Math.max(head.maxDepth(), pdu.depth());
                heads.put(roomId, new RoomHead(roomId, version, List.copyOf(newExtremities), depth, groups[0]));
            }
            result = stored;
            persisted = placed ? new Persisted(room, List.of(stored), Set.copyOf(membershipChanged)) : null;
        } finally {
            allocated.forEach(positions::settle);
            unlockAndHandOver(slot);
        }
        notify(persisted);
        return result;
    }

    /**
     * Places the leading PDUs of {@code pdus} (received from other servers, checked for format, signatures and hash,
     * in the order sent) that simply continue the room, all in one commit, and returns how many. Such a PDU is a
     * message-like event (not state, not a redaction) of another server, not known here, whose one prev event is a
     * forward extremity with the current state after it, and which passes auth against that state: what
     * {@link #receive(RoomId, Pdu)} would place without forks, resolution or fetches. The first PDU that does not
     * qualify ends the run; the caller hands it to {@code receive} and calls this again with the rest.
     *
     * <p>One commit for a transaction's run of messages instead of one each: on a loaded machine a commit and the
     * round trips around it took 20-30 ms, so a 50-PDU transaction from a busy room took 1.5 s to place.
     */
    public int receiveChain(RoomId room, List<Pdu> pdus) {
        if (pdus.isEmpty()) {
            return 0;
        }
        RoomSlot slot = slots.get(room.value());
        List<Long> allocated = new ArrayList<>();
        Persisted persisted = null;
        slot.lock.lock();
        try {
            String roomId = room.value();
            RoomHead head = head(roomId);
            RoomVersion version = head.version();
            long group = head.currentStateGroup();
            Map<StateKey, String> state = snapshots.get(group);
            Set<String> known = events.stored(pdus.stream().map(Pdu::eventId).toList());
            List<String> extremities = new ArrayList<>(head.extremities());
            long depth = head.maxDepth();
            Set<String> placedHere = new java.util.HashSet<>();
            List<Pdu> chain = new ArrayList<>();
            for (Pdu pdu : pdus) {
                if (!continuesRoom(room, version, pdu, known, placedHere, extremities, group, state)) {
                    break;
                }
                chain.add(pdu);
                placedHere.add(pdu.eventId());
                extremities.remove(pdu.prevEvents().getFirst());
                extremities.add(pdu.eventId());
                depth = Math.max(depth, pdu.depth());
            }
            if (chain.isEmpty()) {
                return 0;
            }
            List<StoredEvent> out = new ArrayList<>();
            for (Pdu pdu : chain) {
                long position = positions.allocate();
                allocated.add(position);
                out.add(new StoredEvent(pdu, roomId, position, false, false, null, group, group, null, null, false,
                        null));
            }
            List<String> removed = head.extremities().stream().filter(e -> !extremities.contains(e)).toList();
            List<String> added = extremities.stream().filter(e -> !head.extremities().contains(e)).toList();
            List<String> noRedactions = java.util.Collections.nCopies(out.size(), null);
            database.transaction(tx -> {
                RoundTrip writes = new RoundTrip();
                events.addEvents(writes, out);
                index.persisted(tx, writes, out, noRedactions);
                events.addExtremityChanges(writes, roomId, removed, added);
                pushActions.persisting(tx, writes, room, version, out, k -> {
                    String id = state.get(k);
                    return id == null ? null : events.find(id).map(StoredEvent::pdu).orElse(null);
                });
                writes.send(tx);
                return null;
            });
            out.forEach(events::committed);
            heads.put(roomId, new RoomHead(roomId, version, List.copyOf(extremities), depth, group));
            receivedCommits.increment();
            persisted = new Persisted(room, out, Set.of());
        } finally {
            allocated.forEach(positions::settle);
            unlockAndHandOver(slot);
        }
        notify(persisted);
        return persisted.events().size();
    }

    /** Whether {@code pdu} continues the room as {@link #receiveChain} places it; caller holds the room's lock. */
    private boolean continuesRoom(RoomId room, RoomVersion version, Pdu pdu, Set<String> known, Set<String> placedHere,
                                  List<String> extremities, long group, Map<StateKey, String> state) {
        if (known.contains(pdu.eventId()) || placedHere.contains(pdu.eventId()) || pdu.isState()
                || REDACTION.equals(pdu.type()) || pdu.prevEvents().size() != 1
                || !extremities.contains(pdu.prevEvents().getFirst())
                || UserId.tryParse(pdu.sender()).map(UserId::domain).filter(serverName::equals).isPresent()) {
            return false;
        }
        String prev = pdu.prevEvents().getFirst();
        // An extremity whose state after is not the current state (a fork) needs receive's resolution.
        if (!placedHere.contains(prev) && events.find(prev).filter(p -> p.roomId().equals(room.value())
                && !p.outlier() && !p.rejected() && p.stateGroupAfter() == group).isEmpty()) {
            return false;
        }
        try {
            return rejection(room, version, pdu, state) == null;
        } catch (MatrixException unknownAuthEvent) {
            return false;
        }
    }

    /** The state before an event: a stored group ({@code group} >= 0) or a map still to be stored (-1). */
    private record StateBefore(long group, Map<StateKey, String> state) {}

    private StateBefore stateBefore(RoomVersion version, List<StoredEvent> prevs, Map<StateKey, String> given) {
        if (given != null) {
            return new StateBefore(-1, Map.copyOf(given));
        }
        if (prevs.size() == 1) {
            long group = prevs.getFirst().stateGroupAfter();
            return new StateBefore(group, snapshots.get(group));
        }
        return new StateBefore(-1, Map.copyOf(StateResolver.resolve(version,
                prevs.stream().map(p -> snapshots.get(p.stateGroupAfter())).toList(),
                id -> events.find(id).map(StoredEvent::pdu).orElse(null))));
    }

    /**
     * Spec: "Checks performed on receipt of a PDU", steps 4 and 5: null when the event passes the auth rules against
     * its auth events and against the state before it, else why not. {@code M_FORBIDDEN} when an auth event is not
     * known here.
     */
    private String rejection(RoomId room, RoomVersion version, Pdu pdu, Map<StateKey, String> before) {
        Map<StateKey, Pdu> byAuthEvents = new HashMap<>();
        String rejection = null;
        for (String id : pdu.authEvents()) {
            StoredEvent a = events.find(id).filter(e -> e.roomId().equals(room.value()))
                    .orElseThrow(() -> new MatrixException(ErrorCode.FORBIDDEN, "auth event " + id + " unknown"));
            if (a.rejected()) {
                rejection = "its auth event " + id + " was rejected";
            }
            a.pdu().stateTuple().ifPresent(k -> byAuthEvents.put(k, a.pdu()));
        }
        String createId = before.get(CREATE_KEY);
        if (version.roomIdFromCreateEvent() && createId != null) {
            // From v12 the create event is named by the room ID, not listed in auth_events.
            events.find(createId).ifPresent(c -> byAuthEvents.putIfAbsent(CREATE_KEY, c.pdu()));
        }
        if (rejection == null
                && AuthRules.check(version, pdu, byAuthEvents) instanceof AuthResult.Rejected(String r)) {
            rejection = "rejected by its auth events: " + r;
        }
        if (rejection == null && AuthRules.check(version, pdu, authState(version, pdu, before::get, Map.of()))
                instanceof AuthResult.Rejected(String r)) {
            rejection = "rejected by the state before it: " + r;
        }
        return rejection;
    }

    /**
     * Reserves {@code count} positions below every event stored so far, for backfilled history; returns the lowest.
     * Backfilled events are older than everything the room already shows but arrive later, so they are ordered
     * below it (as Synapse's backfill stream counts down from -1): paging back reaches them after the oldest events
     * already shown, tokens handed out before stay valid (nothing new appears above them), and /sync, which reads
     * above its since position, never takes them for new events.
     */
    public long reserveHistory(int count) {
        if (count <= 0) {
            throw new IllegalArgumentException("count must be positive");
        }
        historyFloor.compareAndSet(Long.MAX_VALUE, Math.min(events.minStreamOrdering(), 0));
        return historyFloor.addAndGet(-count);
    }

    /**
     * Places a backfilled PDU (already checked for format, signatures and hash) in the room's history at
     * {@code position} (from {@link #reserveHistory}): auth-checked like a received PDU against its auth events and
     * the state before it (the state after its prev events, or {@code stateBefore} when some are not known here),
     * stored rejected when it fails. It changes neither the extremities, the current state, memberships nor push
     * actions, and wakes no one. An outlier is placed; an event already placed is returned as it is.
     */
    public StoredEvent placeHistory(RoomId room, Pdu pdu, Map<StateKey, String> stateBefore, long position) {
        RoomSlot slot = slots.get(room.value());
        slot.lock.lock();
        try {
            Optional<StoredEvent> known = events.find(pdu.eventId());
            if (known.isPresent() && !known.get().outlier()) {
                return known.get();
            }
            boolean wasOutlier = known.isPresent();
            RoomVersion version = head(room.value()).version();
            List<StoredEvent> prevs = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            splitPrevEvents(room, pdu, prevs, missing);
            if (stateBefore == null && (!missing.isEmpty() || prevs.isEmpty() && !CREATE.equals(pdu.type()))) {
                throw new MissingPrevEvents(missing);
            }
            StateBefore sb = stateBefore(version, prevs, prevs.isEmpty() && stateBefore == null ? Map.of() : stateBefore);
            String rejection = rejection(room, version, pdu, sb.state());
            boolean rejected = rejection != null;
            String roomId = room.value();
            StoredEvent stored = database.transaction(tx -> {
                if (wasOutlier) {
                    events.deleteOutlier(tx, pdu.eventId());
                }
                long bg = sb.group() >= 0 ? sb.group() : snapshots.create(tx, roomId, StateSnapshots.EMPTY, sb.state());
                long after = pdu.isState() && !rejected
                        ? snapshots.create(tx, roomId, bg, Map.of(pdu.stateTuple().orElseThrow(), pdu.eventId()))
                        : bg;
                StoredEvent e = new StoredEvent(pdu, roomId, position, rejected, false, null, bg, after, null, null,
                        false, rejection);
                events.insert(tx, e);
                if (!rejected) {
                    index.persisted(tx, e, redactsOf(version, pdu));
                }
                return e;
            });
            events.committed(stored);
            return stored;
        } finally {
            unlockAndHandOver(slot);
        }
    }

    /**
     * Stores events known for auth and state only (spec: outliers, e.g. fetched by {@code /event} to compute the
     * state before an event whose prev events are missing); already known ones are skipped.
     */
    public void storeOutliers(RoomId room, List<Pdu> outliers) {
        RoomSlot slot = slots.get(room.value());
        List<Long> allocated = new ArrayList<>();
        slot.lock.lock();
        try {
            List<Pdu> fresh = outliers.stream().filter(p -> events.find(p.eventId()).isEmpty()).toList();
            if (fresh.isEmpty()) {
                return;
            }
            List<StoredEvent> stored = new ArrayList<>();
            for (Pdu p : fresh) {
                long position = positions.allocate();
                allocated.add(position);
                stored.add(outlier(p, room.value(), position));
            }
            database.transaction(tx -> {
                stored.forEach(e -> events.insert(tx, e));
                return null;
            });
            stored.forEach(events::committed);
        } finally {
            allocated.forEach(positions::settle);
            unlockAndHandOver(slot);
        }
    }

    private static StoredEvent outlier(Pdu pdu, String roomId, long position) {
        return new StoredEvent(pdu, roomId, position, false, false, null, 0, 0, null, null, true, null);
    }

    /** {@code pdu}'s prev events stored here in the timeline, and the others (an outlier has no state: as good as missing). */
    private void splitPrevEvents(RoomId room, Pdu pdu, List<StoredEvent> stored, List<String> missing) {
        for (String prev : pdu.prevEvents()) {
            Optional<StoredEvent> p = events.find(prev).filter(e -> e.roomId().equals(room.value()) && !e.outlier());
            if (p.isPresent()) {
                stored.add(p.get());
            } else {
                missing.add(prev);
            }
        }
    }

    /**
     * The unsigned event a remote user would send next in {@code room} (spec: make_join / make_leave templates):
     * prev_events are the forward extremities, auth_events chosen from the current state. {@code M_FORBIDDEN} when
     * the auth rules would refuse it now.
     */
    public JsonObject template(RoomId room, UserId sender, EventDraft draft) {
        RoomHead head = head(room.value());
        RoomVersion version = head.version();
        Map<StateKey, String> current = snapshots.get(head.currentStateGroup());
        Map<String, Pdu> none = Map.of();
        JsonObjectBuilder b = Json.objectBuilder().add("room_id", room.value()).add("type", draft.type())
                .add("sender", sender.value()).add("content", draft.content()).add("origin", sender.domain())
                .add("origin_server_ts", clock.millis()).add("depth", head.maxDepth() + 1);
        if (draft.stateKey() != null) {
            b.add("state_key", draft.stateKey());
        }
        Pdu unsigned = new Pdu(null, b.build());
        List<String> authIds = new ArrayList<>();
        for (StateKey key : AuthRules.authEventTypes(version, unsigned)) {
            String id = current.get(key);
            if (id != null) {
                authIds.add(id);
            }
        }
        JsonObject event = Json.objectBuilder(unsigned.json()).add("prev_events", refs(version, head.extremities(), none))
                .add("auth_events", refs(version, authIds, none)).build();
        if (AuthRules.check(version, new Pdu(null, event), authState(version, unsigned, current::get, none))
                instanceof AuthResult.Rejected(String reason)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, reason);
        }
        return event;
    }

    /**
     * A local user joined a room of another server (spec: send_join): stores the room, the returned state and
     * auth chain (checked by the caller for signatures and hashes) apart from the timeline, and the join event,
     * which must pass auth against that state.
     */
    public StoredEvent joinRemote(RoomVersion version, RoomId room, List<Pdu> state, List<Pdu> authChain, Pdu join) {
        RoomSlot slot = slots.get(room.value());
        List<Long> allocated = new ArrayList<>();
        Persisted persisted;
        slot.lock.lock();
        try {
            Map<String, Pdu> known = new HashMap<>();
            authChain.forEach(p -> known.put(p.eventId(), p));
            state.forEach(p -> known.put(p.eventId(), p));
            Map<StateKey, String> before = new HashMap<>();
            for (Pdu p : state) {
                p.stateTuple().ifPresent(k -> before.put(k, p.eventId()));
            }
            String createId = before.get(CREATE_KEY);
            if (createId == null) {
                throw new MatrixException(ErrorCode.BAD_JSON, "the room's state has no create event");
            }
            Map<StateKey, Pdu> authState = authState(version, join, before::get, known);
            if (AuthRules.check(version, join, authState) instanceof AuthResult.Rejected(String reason)) {
                throw new MatrixException(ErrorCode.FORBIDDEN, "join refused by the room's state: " + reason);
            }
            String roomId = room.value();
            boolean newRoom = database.execute().createNamedGet("rooms-get").params(params("room_id", roomId))
                    .execute().isEmpty();
            Set<UserId> membershipChanged = new LinkedHashSet<>();
            Set<String> alreadyStored = events.stored(known.keySet());
            List<Pdu> outliers = known.values().stream().filter(p -> !alreadyStored.contains(p.eventId()))
                    .sorted(java.util.Comparator.comparingLong(Pdu::depth)).toList();
            List<Long> outlierPositions = new ArrayList<>();
            // By event ID: looking each member event up in the outlier list was quadratic in a big room's state.
            Map<String, Long> outlierPosition = new HashMap<>();
            for (int i = 0; i < outliers.size(); i++) {
                long p = positions.allocate();
                allocated.add(p);
                outlierPositions.add(p);
                outlierPosition.put(outliers.get(i).eventId(), p);
            }
            long joinPosition = positions.allocate();
            allocated.add(joinPosition);
            // The other servers joined per the returned state: the join goes into their outbox in its own commit.
            Set<String> destinations = new java.util.TreeSet<>();
            for (var entry : before.entrySet()) {
                Pdu m = MEMBER.equals(entry.getKey().type()) ? known.get(entry.getValue()) : null;
                if (m != null && "join".equals(m.content().getString("membership", ""))) {
                    UserId.tryParse(entry.getKey().stateKey()).map(UserId::domain)
                            .filter(d -> !d.equals(serverName)).ifPresent(destinations::add);
                }
            }
            StoredEvent stored = database.transaction(tx -> {
                if (newRoom) {
                    tx.createNamedInsert("rooms-insert").params(params("room_id", roomId,
                            "room_version", version.id(), "creator", known.get(createId).sender(),
                            "current_state_group", 0L, "created_ts", clock.millis())).execute();
                }
                // Outliers: known for auth and state, kept out of timelines.
                for (int i = 0; i < outliers.size(); i++) {
                    events.insert(tx, outlier(outliers.get(i), roomId, outlierPositions.get(i)));
                }
                long bg = snapshots.create(tx, roomId, StateSnapshots.EMPTY, before);
                long after = snapshots.create(tx, roomId, bg, Map.of(join.stateTuple().orElseThrow(), join.eventId()));
                StoredEvent e = new StoredEvent(join, roomId, joinPosition, false, false, null, bg, after, null, null);
                events.insert(tx, e);
                for (String old : events.extremities(tx, roomId)) {
                    tx.createNamedDelete("rooms-extremity-delete").params(params("room_id", roomId, "event_id", old))
                            .execute();
                }
                tx.createNamedInsert("rooms-extremity-insert").params(params("room_id", roomId,
                        "event_id", join.eventId())).execute();
                events.setCurrentState(tx, roomId, after);
                for (var entry : before.entrySet()) {
                    if (MEMBER.equals(entry.getKey().type())) {
                        Pdu m = known.get(entry.getValue());
                        events.upsertMembership(tx, roomId, entry.getKey().stateKey(),
                                m.content().getString("membership", ""), m.eventId(),
                                outlierPosition.getOrDefault(m.eventId(), joinPosition));
                    }
                }
                String target = join.stateKey().orElseThrow();
                events.upsertMembership(tx, roomId, target, "join", join.eventId(), joinPosition);
                UserId.tryParse(target).ifPresent(membershipChanged::add);
                outbound.persisting(tx, destinations, List.of(e));
                return e;
            });
            events.committed(stored);
            heads.invalidate(roomId);
            persisted = new Persisted(room, List.of(stored), Set.copyOf(membershipChanged));
        } finally {
            allocated.forEach(positions::settle);
            unlockAndHandOver(slot);
        }
        notify(persisted);
        return persisted.events().getFirst();
    }

    /**
     * A membership of a local user in a room this server is not resident in: an invite received (spec: "Inviting to
     * a room", invitee's side), a knock or a leave (rejected invite, rescinded knock) sent through a resident server.
     * Kept as an outlier with the user's membership, so /sync lists the room under {@code invite}, {@code knock} or
     * {@code leave}; the stripped state travels in the event's {@code unsigned.invite_room_state} or
     * {@code unsigned.knock_room_state}.
     */
    public void storeRemoteMembership(RoomId room, Pdu invite) {
        RoomSlot slot = slots.get(room.value());
        List<Long> allocated = new ArrayList<>();
        Persisted persisted;
        slot.lock.lock();
        try {
            if (events.find(invite.eventId()).isPresent()) {
                return;
            }
            long position = positions.allocate();
            allocated.add(position);
            String target = invite.stateKey().orElseThrow();
            StoredEvent stored = database.transaction(tx -> {
                StoredEvent e = outlier(invite, room.value(), position);
                events.insert(tx, e);
                events.upsertMembership(tx, room.value(), target, invite.content().getString("membership", ""),
                        invite.eventId(), position);
                return e;
            });
            events.committed(stored);
            persisted = new Persisted(room, List.of(stored), Set.of(UserId.parse(target)));
        } finally {
            allocated.forEach(positions::settle);
            unlockAndHandOver(slot);
        }
        notify(persisted);
    }

    private RoomHead head(String roomId) {
        RoomHead head = heads.getIfPresent(roomId);
        if (head != null) {
            return head;
        }
        var row = database.execute().createNamedGet("rooms-get").params(params("room_id", roomId)).execute()
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + roomId));
        RoomVersion version = RoomVersion.find(str(row, "room_version"))
                .orElseThrow(() -> new IllegalStateException("room " + roomId + " has an unknown version"));
        List<String> extremities = events.extremities(roomId);
        long depth = 0;
        for (String id : extremities) {
            depth = Math.max(depth, events.find(id).map(e -> e.pdu().depth()).orElse(0L));
        }
        head = new RoomHead(roomId, version, extremities, depth, lng(row, "current_state_group"));
        heads.put(roomId, head);
        return head;
    }

    /**
     * Caller holds the room's lock. Builds and checks each item on top of the previous ones, then commits all that
     * passed in one transaction. {@code allOrNothing}: the first refused item fails the call; otherwise its
     * exception goes to {@code outcomes} (one entry per item: its StoredEvent or its exception). With
     * {@code create}, the room is new and {@code create} is its first event. Null when nothing was persisted.
     */
    private Persisted persist(RoomHead head, List<Item> items, boolean allOrNothing, Consumer<DbExecute> extra,
                              Pdu create, long createPosition, List<Long> allocated, List<Object> outcomes) {
        RoomVersion version = head.version();
        String roomId = head.roomId();
        long now = clock.millis();
        List<String> extremities = head.extremities();
        long depth = head.maxDepth();
        // Built in memory first, each on top of the previous, then written in one transaction.
        // The current state as an overlay: copying a large room's state for every message would cost O(members).
        Map<StateKey, String> base = snapshots.get(head.currentStateGroup());
        Map<StateKey, String> changes = new HashMap<>();
        Function<StateKey, String> state = k -> changes.containsKey(k) ? changes.get(k) : base.get(k);
        Map<String, Pdu> fresh = new HashMap<>();
        List<Pdu> built = new ArrayList<>();
        List<Long> positionsOf = new ArrayList<>();
        if (create != null) {
            built.add(create);
            positionsOf.add(createPosition);
            fresh.put(create.eventId(), create);
            changes.put(CREATE_KEY, create.eventId());
            extremities = List.of(create.eventId());
            depth = create.depth();
        }
        List<Item> builtItems = new ArrayList<>();
        if (create != null) {
            builtItems.add(new Item(items.isEmpty() ? null : items.getFirst().sender(), null, null));
        }
        Map<String, Integer> txnsInBatch = new HashMap<>();
        for (Item item : items) {
            try {
                if (item.txn() != null) {
                    // A retry of a send in this batch or one committed while this waited for the lock.
                    String key = txnKey(item.sender(), item.txn());
                    Integer sameBatch = txnsInBatch.get(key);
                    if (sameBatch != null) {
                        outcomes.add(sameBatch);
                        continue;
                    }
                    // The DB was checked before queueing; a retry racing its original finds it here once committed.
                    String committed = recentTxns.getIfPresent(key);
                    Optional<StoredEvent> earlier = committed == null ? Optional.empty() : events.find(committed);
                    if (earlier.isPresent()) {
                        outcomes.add(earlier.get());
                        continue;
                    }
                }
                EventDraft draft = item.draft();
                Pdu pdu = build(version, roomId, item.sender(), draft, extremities, depth + 1, now, state, fresh);
                Map<StateKey, Pdu> authState = authState(version, pdu, state, fresh);
                // Locally built events see the current state as their state before, so the auth check and the
                // soft-fail check are the same check.
                switch (AuthRules.check(version, pdu, authState)) {
                    case AuthResult.Allowed() -> { }
                    case AuthResult.Rejected(String reason) -> throw new MatrixException(ErrorCode.FORBIDDEN, reason);
                }
                checkRedaction(version, pdu, item.sender(), authState);
                outcomes.add(built.size());
                if (item.txn() != null) {
                    txnsInBatch.put(txnKey(item.sender(), item.txn()), built.size());
                }
                built.add(pdu);
                builtItems.add(item);
                long pos = positions.allocate();
                allocated.add(pos);
                positionsOf.add(pos);
                fresh.put(pdu.eventId(), pdu);
                pdu.stateTuple().ifPresent(k -> changes.put(k, pdu.eventId()));
                extremities = List.of(pdu.eventId());
                depth = pdu.depth();
            } catch (RuntimeException e) {
                if (allOrNothing) {
                    throw e;
                }
                outcomes.add(e);
            }
        }
        if (built.isEmpty()) {
            return null;
        }
        List<String> oldExtremities = head.extremities();
        List<String> newExtremities = extremities;
        long finalDepth = depth;
        Set<UserId> membershipChanged = new LinkedHashSet<>();
        List<String[]> redacted = new ArrayList<>();
        // Read before the transaction: the outbox insert below must not take a second connection.
        Set<String> destinations = outbound.destinations(new RoomId(roomId));
        List<StoredEvent> stored = database.transaction(tx -> {
            List<EventRepository.TxnRow> txnRows = new ArrayList<>();
            List<Item> txnItems = new ArrayList<>();
            for (int i = 0; i < built.size(); i++) {
                Item item = builtItems.get(i);
                if (item.txn() != null) {
                    txnRows.add(new EventRepository.TxnRow(item.sender().value(), item.txn(), built.get(i).eventId()));
                    txnItems.add(item);
                }
            }
            List<StoredEvent> out = new ArrayList<>();
            long group = head.currentStateGroup();
            for (int i = 0; i < built.size(); i++) {
                Pdu pdu = built.get(i);
                long before = group;
                if (pdu.isState()) {
                    group = snapshots.create(tx, roomId, before, Map.of(pdu.stateTuple().orElseThrow(), pdu.eventId()));
                }
                Txn txn = builtItems.get(i).txn();
                StoredEvent e = new StoredEvent(pdu, roomId, positionsOf.get(i), false, false, null, before, group,
                        txn != null ? txn.deviceId() : null, txn != null ? txn.txnId() : null);
                if (pdu == create) {
                    tx.createNamedInsert("rooms-insert").params(params("room_id", roomId,
                            "room_version", version.id(), "creator", pdu.sender(), "current_state_group", 0L,
                            "created_ts", now)).execute();
                }
                out.add(e);
            }
            // All rows of a kind in one statement, all these statements in one round trip: not one per table
            // and event. The transaction IDs first: their update count tells whether some are retries.
            RoundTrip writes = new RoundTrip();
            if (!txnRows.isEmpty()) {
                events.addTxns(writes, txnRows);
            }
            events.addEvents(writes, out);
            List<String> redactsAll = out.stream().map(e -> redactsOf(version, e.pdu())).toList();
            index.persisted(tx, writes, out, redactsAll);
            events.addReplaceExtremities(writes, roomId, oldExtremities, newExtremities.getFirst());
            // Before push actions, which read the joined members in this transaction.
            for (StoredEvent e : out) {
                if (MEMBER.equals(e.type())) {
                    String target = e.pdu().stateKey().orElseThrow();
                    events.upsertMembership(tx, roomId, target, e.pdu().content().getString("membership", ""),
                            e.eventId(), e.streamOrdering());
                    UserId.tryParse(target).ifPresent(membershipChanged::add);
                }
            }
            pushActions.persisting(tx, writes, new RoomId(roomId), version, out, k -> {
                String id = state.apply(k);
                return id == null ? null : pdu(id, fresh);
            });
            outbound.persisting(tx, writes, destinations, out);
            long recorded = writes.send(tx);
            if (!txnRows.isEmpty() && recorded < txnRows.size()) {
                // Rolls back before anything was queued or announced (push notifications, federation).
                List<String> earlier = events.earlierTxns(tx, txnRows);
                Map<Item, String> duplicates = new java.util.IdentityHashMap<>();
                for (int i = 0; i < earlier.size(); i++) {
                    if (earlier.get(i) != null) {
                        duplicates.put(txnItems.get(i), earlier.get(i));
                    }
                }
                if (duplicates.isEmpty()) {
                    // Never expected; without this guard the batch would be retried forever.
                    throw new IllegalStateException("transaction IDs of " + roomId + " not recorded");
                }
                throw new DuplicateTxn(duplicates);
            }
            for (int i = 0; i < out.size(); i++) {
                Pdu pdu = out.get(i).pdu();
                // After the events' rows: the target may be one of them.
                String redacts = redactsAll.get(i);
                if (redacts != null && events.find(redacts).filter(t -> t.roomId().equals(roomId)).isPresent()
                        && events.markRedacted(tx, redacts, pdu.eventId())) {
                    redacted.add(new String[] {redacts, pdu.eventId()});
                }
            }
            if (group != head.currentStateGroup()) {
                // A plain message leaves the state as it was: no write.
                events.setCurrentState(tx, roomId, group);
            }
            extra.accept(tx);
            return out;
        });
        long group = stored.getLast().stateGroupAfter();
        heads.put(roomId, new RoomHead(roomId, version, newExtremities, finalDepth, group));
        stored.forEach(events::committed);
        for (int i = 0; i < stored.size(); i++) {
            Item item = builtItems.get(i);
            if (item.txn() != null) {
                recentTxns.put(txnKey(item.sender(), item.txn()), stored.get(i).eventId());
            }
        }
        redacted.forEach(r -> events.redactedCommitted(r[0], r[1]));
        allocated.forEach(positions::settle);
        allocated.clear();
        // Outcomes held indexes into built, which stored follows one for one.
        for (int i = 0; i < outcomes.size(); i++) {
            if (outcomes.get(i) instanceof Integer index) {
                outcomes.set(i, stored.get(index));
            }
        }
        return new Persisted(new RoomId(roomId), stored, Set.copyOf(membershipChanged));
    }

    private Pdu build(RoomVersion version, String roomId, UserId sender, EventDraft draft, List<String> prevEvents,
                      long depth, long now, Function<StateKey, String> state, Map<String, Pdu> fresh) {
        JsonObjectBuilder b = Json.objectBuilder()
                .add("room_id", roomId).add("type", draft.type()).add("sender", sender.value())
                .add("content", draft.redacts() != null && version.redactsInContent()
                        ? Json.objectBuilder(draft.content()).add("redacts", draft.redacts()).build() : draft.content())
                .add("origin_server_ts", draft.originServerTs() != null ? draft.originServerTs() : now).add("depth", depth);
        if (draft.stateKey() != null) {
            b.add("state_key", draft.stateKey());
        }
        if (draft.redacts() != null && !version.redactsInContent()) {
            b.add("redacts", draft.redacts());
        }
        boolean serverChosen = version.eventIds() == EventIdFormat.SERVER_CHOSEN;
        if (serverChosen) {
            b.add("event_id", "$" + randomId(18) + ":" + serverName).add("origin", serverName);
        }
        Pdu unsigned = new Pdu(null, b.build());
        List<String> authIds = new ArrayList<>();
        for (StateKey key : AuthRules.authEventTypes(version, unsigned)) {
            String id = state.apply(key);
            if (id != null) {
                authIds.add(id);
            }
        }
        b = Json.objectBuilder(unsigned.json());
        b.add("prev_events", refs(version, prevEvents, fresh)).add("auth_events", refs(version, authIds, fresh));
        return EventFormat.validate(version, EventSigning.hashSignAndIdentify(version, b.build(), serverName, signingKey));
    }

    private JsonArrayBuilder refs(RoomVersion version, List<String> ids, Map<String, Pdu> fresh) {
        JsonArrayBuilder a = Json.arrayBuilder();
        for (String id : ids) {
            if (version.eventIds() == EventIdFormat.SERVER_CHOSEN) {
                Pdu pdu = pdu(id, fresh);
                JsonObject hashes = pdu != null && pdu.json().get("hashes") instanceof JsonObject h ? h : Json.objectBuilder().build();
                a.add(Json.arrayBuilder().add(id).add(hashes));
            } else {
                a.add(id);
            }
        }
        return a;
    }

    private Map<StateKey, Pdu> authState(RoomVersion version, Pdu pdu, Function<StateKey, String> state,
                                         Map<String, Pdu> fresh) {
        Map<StateKey, Pdu> auth = new HashMap<>();
        Set<StateKey> keys = new LinkedHashSet<>(AuthRules.authEventTypes(version, pdu));
        keys.add(CREATE_KEY);
        for (StateKey key : keys) {
            String id = state.apply(key);
            if (id != null) {
                Pdu p = pdu(id, fresh);
                if (p != null) {
                    auth.put(key, p);
                }
            }
        }
        return auth;
    }

    private Pdu pdu(String id, Map<String, Pdu> fresh) {
        Pdu p = fresh.get(id);
        return p != null ? p : events.find(id).map(StoredEvent::pdu).orElse(null);
    }

    /** Client-Server "Redactions": redacting someone else's event needs the redact power level. */
    private void checkRedaction(RoomVersion version, Pdu pdu, UserId sender,
                                Map<StateKey, Pdu> authState) {
        String redacts = redactsOf(version, pdu);
        if (redacts == null) {
            return;
        }
        Optional<StoredEvent> target = events.find(redacts);
        if (target.isEmpty() || target.get().sender().equals(sender.value())) {
            return;
        }
        PowerLevels levels = PowerLevels.fromState(version, authState);
        if (levels.userLevel(sender.value()) < levels.redact()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "redacting another user's event needs power level "
                    + levels.redact());
        }
    }

    static String redactsOf(RoomVersion version, Pdu pdu) {
        if (!REDACTION.equals(pdu.type())) {
            return null;
        }
        JsonObject source = version.redactsInContent() ? pdu.content() : pdu.json();
        return source.getString("redacts", null);
    }

    private String randomId(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
