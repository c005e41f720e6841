package org.hearth.core.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The room engine against a scratch database on the MariaDB at 127.0.0.1:3306. */
class RoomEngineIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static final UserId ALICE = UserId.parse("@alice:test.example");
    private static final UserId BOB = UserId.parse("@bob:test.example");
    private static Database database;
    private static Rooms rooms;
    private static final List<Long> notified = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws SQLException {
        admin("CREATE DATABASE " + NAME + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 16));
        Migrations.apply(database.dataSource());
        rooms = new Rooms(database, "test.example", SigningKey.generate("a_test"), Clock.systemUTC(),
                (room, position, changed) -> notified.add(position));
    }

    @AfterAll
    static void stop() throws SQLException {
        if (database != null) {
            database.close();
        }
        admin("DROP DATABASE IF EXISTS " + NAME);
    }

    private static RoomId createRoom(RoomVersion version, String preset, List<UserId> invite) {
        var creation = new RoomCreation(rooms, ServerName.parse("test.example"), version);
        return creation.create(ALICE, new RoomCreation.Request(null, null, "Room", "Topic", invite, null, List.of(),
                null, preset, false, null));
    }

    private static JsonObject text(String body) {
        return Json.objectBuilder().add("msgtype", "m.text").add("body", body).build();
    }

    @Test
    void createdRoomHasThePresetStateAndOneExtremity() {
        for (RoomVersion version : List.of(RoomVersion.V12, RoomVersion.V10, RoomVersion.V1)) {
            RoomId room = createRoom(version, "private_chat", List.of(BOB));
            var state = rooms.reader().currentState(room);
            assertEquals("join", state.get(StateKey.of("m.room.member", ALICE.value())).pdu().content().getString("membership"));
            assertEquals("invite", state.get(StateKey.of("m.room.member", BOB.value())).pdu().content().getString("membership"));
            assertEquals("invite", state.get(StateKey.of("m.room.join_rules", "")).pdu().content().getString("join_rule"));
            assertEquals("Topic", state.get(StateKey.of("m.room.topic", "")).pdu().content().getString("topic"));
            assertEquals(version.id(), state.get(StateKey.of("m.room.create", "")).pdu().content().getString("room_version"));
            var timeline = rooms.reader().timeline(room, 0, Long.MAX_VALUE, 100, false);
            assertEquals("m.room.create", timeline.getFirst().type());
            for (int i = 1; i < timeline.size(); i++) {
                assertEquals(List.of(timeline.get(i - 1).eventId()), timeline.get(i).pdu().prevEvents());
                assertEquals(timeline.get(i - 1).pdu().depth() + 1, timeline.get(i).pdu().depth());
            }
            assertEquals(List.of(timeline.getLast().eventId()), new EventRepository(database).extremities(room.value()));
            assertEquals("invite", rooms.reader().membership(room, BOB).orElseThrow().membership());
        }
    }

    @Test
    void aFreshEngineOverTheSameDatabaseContinuesTheRoom() {
        RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
        var last = rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("before restart")), null);
        var restarted = new Rooms(database, "test.example", SigningKey.generate("a_test"), Clock.systemUTC(),
                (r, p, c) -> notified.add(p));
        assertEquals(rooms.reader().currentPosition(), restarted.reader().currentPosition());
        var next = restarted.engine().send(room, ALICE, EventDraft.state("m.room.topic", "",
                Json.objectBuilder().add("topic", "after").build()), null);
        assertEquals(List.of(last.eventId()), next.pdu().prevEvents());
        assertEquals(last.pdu().depth() + 1, next.pdu().depth());
        assertTrue(next.streamOrdering() > last.streamOrdering());
        assertEquals(next.eventId(), restarted.reader().currentStateIds(room).get(StateKey.of("m.room.topic", "")));
        // The restarted engine's state groups do not collide with ones written before.
        assertEquals("Topic", restarted.reader().event(restarted.reader().stateIdsBefore(next)
                .get(StateKey.of("m.room.topic", ""))).orElseThrow().pdu().content().getString("topic"));
        // Sequences live in the engine: only one engine may write to a database, so the other tests use this one.
        rooms = restarted;
    }

    @Test
    void v12RoomIdIsTheCreateEventHash() {
        RoomId room = createRoom(RoomVersion.V12, "public_chat", List.of());
        var create = rooms.reader().currentStateEvent(room, "m.room.create", "").orElseThrow();
        assertEquals("!" + create.eventId().substring(1), room.value());
        assertFalse(create.pdu().json().containsKey("room_id"));
    }

    @Test
    void nonMemberIsRejectedAndNothingIsPersisted() {
        RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
        long before = rooms.reader().currentPosition();
        var e = assertThrows(MatrixException.class,
                () -> rooms.engine().send(room, BOB, EventDraft.message("m.room.message", text("hi")), null));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        assertEquals(before, rooms.reader().currentPosition());
        // The room still accepts events after the rejection.
        rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("hi")), null);
    }

    @Test
    void transactionIdIsIdempotent() {
        RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
        var txn = new RoomEngine.Txn("DEV", "send " + room.value(), "t1");
        var first = rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("once")), txn);
        var again = rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("once")), txn);
        assertEquals(first.eventId(), again.eventId());
        assertEquals(1, rooms.reader().timeline(room, first.streamOrdering() - 1, Long.MAX_VALUE, 10, false).size());
    }

    @Test
    void stateAtEachEventIsKeptAsSnapshots() {
        RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
        List<StoredEvent> topics = new ArrayList<>();
        for (int i = 0; i < StateSnapshots.MAX_CHAIN * 2 + 5; i++) {
            topics.add(rooms.engine().send(room, ALICE, EventDraft.state("m.room.topic", "",
                    Json.objectBuilder().add("topic", "t" + i).build()), null));
        }
        for (int i = 1; i < topics.size(); i++) {
            String before = rooms.reader().stateIdsBefore(topics.get(i)).get(StateKey.of("m.room.topic", ""));
            assertEquals(topics.get(i - 1).eventId(), before);
            assertEquals(topics.get(i).eventId(),
                    rooms.reader().stateIdsAfter(topics.get(i)).get(StateKey.of("m.room.topic", "")));
        }
        // Read cold: a fresh snapshot store walks the bounded chain from the database.
        var cold = new StateSnapshots(database);
        assertEquals(rooms.reader().stateIdsAfter(topics.getLast()), cold.get(topics.getLast().stateGroupAfter()));
        assertTrue(cold.chainLength(topics.getLast().stateGroupAfter()) < StateSnapshots.MAX_CHAIN);
    }

    @Test
    void forwardPagesServedFromMemoryMatchTheDatabase() {
        RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
        long start = rooms.reader().currentPosition();
        List<StoredEvent> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("m" + i)), null));
        }
        rooms.engine().send(room, ALICE,
                new EventDraft("m.room.redaction", null, Json.objectBuilder().build(), sent.get(2).eventId()), null);
        long end = rooms.reader().currentPosition();
        // A second reader over the same database has no events in memory: it reads every page from the database.
        RoomReader fromDatabase = new Rooms(database, "test.example", SigningKey.generate("a_test"), Clock.systemUTC(),
                (r, p, c) -> { }).reader();
        for (long from = start - 3; from <= end; from++) {
            for (int limit : new int[] {1, 2, 100}) {
                var memory = rooms.reader().timeline(room, from, end, limit, false);
                var stored = fromDatabase.timeline(room, from, end, limit, false);
                assertEquals(stored.stream().map(StoredEvent::eventId).toList(),
                        memory.stream().map(StoredEvent::eventId).toList(), "from " + from + " limit " + limit);
                assertEquals(stored.stream().map(StoredEvent::redactedBecause).toList(),
                        memory.stream().map(StoredEvent::redactedBecause).toList());
            }
        }
        assertEquals(7, rooms.reader().timeline(room, start, end, 100, false).size());
    }

    @Test
    void concurrentSendsToOneRoomGiveALinearGapFreeStream() throws Exception {
        RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
        long start = rooms.reader().currentPosition();
        int threads = 8;
        int each = 25;
        var sent = new ConcurrentLinkedQueue<StoredEvent>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        sent.add(rooms.engine().send(room, ALICE,
                                EventDraft.message("m.room.message", text(thread + "/" + i)), null));
                    }
                    return null;
                });
            }
        }
        assertEquals(threads * each, sent.size());
        var timeline = rooms.reader().timeline(room, start, Long.MAX_VALUE, 1000, false);
        assertEquals(threads * each, timeline.size());
        for (int i = 1; i < timeline.size(); i++) {
            assertEquals(timeline.get(i - 1).streamOrdering() + 1, timeline.get(i).streamOrdering(), "no gap");
            assertEquals(List.of(timeline.get(i - 1).eventId()), timeline.get(i).pdu().prevEvents(), "linear");
        }
        assertEquals(timeline.getLast().streamOrdering(), rooms.reader().currentPosition());
    }

    @Test
    void refusedSendsInAGroupCommitDoNotAffectTheOthers() throws Exception {
        RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
        long start = rooms.reader().currentPosition();
        var accepted = new ConcurrentLinkedQueue<StoredEvent>();
        var refused = new ConcurrentLinkedQueue<MatrixException>();
        var sameTxn = new ConcurrentLinkedQueue<String>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int t = 0; t < 16; t++) {
                UserId who = t % 2 == 0 ? ALICE : BOB;
                pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        try {
                            accepted.add(rooms.engine().send(room, who, EventDraft.message("m.room.message", text("x")), null));
                        } catch (MatrixException e) {
                            refused.add(e);
                        }
                    }
                    return null;
                });
            }
            for (int t = 0; t < 8; t++) {
                pool.submit(() -> sameTxn.add(rooms.engine().send(room, ALICE,
                        EventDraft.message("m.room.message", text("once")), new RoomEngine.Txn("D", "send", "same")).eventId()));
            }
        }
        assertEquals(80, accepted.size());
        assertEquals(80, refused.size());
        assertTrue(refused.stream().allMatch(e -> e.code() == ErrorCode.FORBIDDEN));
        assertEquals(1, sameTxn.stream().distinct().count(), "one event for one transaction ID");
        var timeline = rooms.reader().timeline(room, start, Long.MAX_VALUE, 1000, false);
        assertEquals(81, timeline.size());
        assertTrue(timeline.stream().allMatch(e -> e.sender().equals(ALICE.value())));
        for (int i = 1; i < timeline.size(); i++) {
            assertEquals(List.of(timeline.get(i - 1).eventId()), timeline.get(i).pdu().prevEvents(), "linear");
        }
    }

    @Test
    void sendsToDifferentRoomsRunInParallelAndPositionsStayUnique() throws Exception {
        List<RoomId> many = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            many.add(createRoom(RoomVersion.V12, "private_chat", List.of()));
        }
        long start = rooms.reader().currentPosition();
        var sent = new ConcurrentLinkedQueue<StoredEvent>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (RoomId room : many) {
                for (int t = 0; t < 2; t++) {
                    pool.submit(() -> {
                        for (int i = 0; i < 20; i++) {
                            sent.add(rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("x")), null));
                        }
                        return null;
                    });
                }
            }
        }
        assertEquals(160, sent.stream().map(StoredEvent::streamOrdering).distinct().count());
        assertEquals(start + 160, rooms.reader().currentPosition());
        assertTrue(notified.contains(start + 160) || notified.stream().anyMatch(p -> p > start));
    }

    @Test
    void redactionMarksTheTargetAndOthersNeedPower() {
        RoomId room = createRoom(RoomVersion.V12, "public_chat", List.of());
        rooms.engine().send(room, BOB, EventDraft.state("m.room.member", BOB.value(),
                Json.objectBuilder().add("membership", "join").build()), null);
        var aliceMsg = rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("secret")), null);
        var e = assertThrows(MatrixException.class, () -> rooms.engine().send(room, BOB,
                new EventDraft("m.room.redaction", null, Json.objectBuilder().build(), aliceMsg.eventId()), null));
        assertEquals(ErrorCode.FORBIDDEN, e.code());
        var redaction = rooms.engine().send(room, ALICE,
                new EventDraft("m.room.redaction", null, Json.objectBuilder().build(), aliceMsg.eventId()), null);
        assertEquals(redaction.eventId(), rooms.reader().event(aliceMsg.eventId()).orElseThrow().redactedBecause());
        assertEquals(aliceMsg.eventId(), redaction.pdu().content().getString("redacts"));
    }

    /** Not a timed test: prints events/s for the report. */
    @Test
    void measureThroughput() throws Exception {
        for (int senders : new int[] {1, 8, 32}) {
            RoomId room = createRoom(RoomVersion.V12, "private_chat", List.of());
            int total = 800;
            long b0 = rooms.engine().batches.sum();
            long s0 = rooms.engine().batchedSends.sum();
            long t0 = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int s = 0; s < senders; s++) {
                    pool.submit(() -> {
                        for (int i = 0; i < total / senders; i++) {
                            rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("m")), null);
                        }
                        return null;
                    });
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("MEASURE one room, %d senders: %.0f events/s, %.1f sends per commit%n", senders,
                    total / secs, (rooms.engine().batchedSends.sum() - s0) / (double) (rooms.engine().batches.sum() - b0));
        }
        for (int roomCount : new int[] {8, 32}) {
            List<RoomId> many = new ArrayList<>();
            for (int i = 0; i < roomCount; i++) {
                many.add(createRoom(RoomVersion.V12, "private_chat", List.of()));
            }
            int total = 1600;
            long t0 = System.nanoTime();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (RoomId room : many) {
                    pool.submit(() -> {
                        for (int i = 0; i < total / roomCount; i++) {
                            rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("m")), null);
                        }
                        return null;
                    });
                }
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("MEASURE %d rooms, one sender each: %.0f events/s%n", roomCount, total / secs);
        }
    }

    @Test
    void aCommitBehindAnotherRoomsInFlightOneIsToldWhenItBecomesVisible() throws Exception {
        RoomId quiet = createRoom(RoomVersion.V12, "private_chat", List.of());
        var inTransaction = new java.util.concurrent.CountDownLatch(1);
        var release = new java.util.concurrent.CountDownLatch(1);
        // A room creation holds its stream position in flight until released.
        Thread slow = Thread.ofVirtual().start(() -> rooms.engine().create(RoomVersion.V12, ALICE,
                Json.objectBuilder().add("room_version", "12").build(), List.of(), (tx, id) -> {
                    inTransaction.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        assertTrue(inTransaction.await(10, TimeUnit.SECONDS));
        var sent = rooms.engine().send(quiet, ALICE, EventDraft.message("m.room.message", text("behind")), null);
        // Readers stop below the in-flight position, so telling the room's members now would wake them to nothing.
        assertTrue(rooms.reader().currentPosition() < sent.streamOrdering());
        assertFalse(notified.contains(sent.streamOrdering()), "told before readers can see it");
        release.countDown();
        slow.join(10_000);
        assertTrue(rooms.reader().currentPosition() >= sent.streamOrdering());
        assertTrue(notified.contains(sent.streamOrdering()), "never told once visible");
    }

    /** Records the engine's in-commit outbox writes (with whether a transaction was passed). */
    private static final class RecordingOutbox implements org.hearth.core.port.OutboundPdus {
        final List<String> queued = Collections.synchronizedList(new ArrayList<>());
        final Set<String> roomDestinations;

        RecordingOutbox(Set<String> roomDestinations) {
            this.roomDestinations = roomDestinations;
        }

        @Override
        public Set<String> destinations(RoomId room) {
            return roomDestinations;
        }

        @Override
        public void persisting(io.helidon.dbclient.DbExecute tx, Set<String> destinations, List<StoredEvent> events) {
            assertTrue(tx != null);
            events.forEach(e -> queued.add(e.eventId() + " -> " + new java.util.TreeSet<>(destinations)));
        }
    }

    /** One event of a room another server ("remote.example") built: hashed and signed, its ID computed. */
    private static org.hearth.spec.event.Pdu remote(RoomVersion version, String roomId, String type, String stateKey,
                                                    String sender, JsonObject content, long depth,
                                                    List<org.hearth.spec.event.Pdu> prev,
                                                    List<org.hearth.spec.event.Pdu> auth) {
        var ids = jakarta.json.Json.createArrayBuilder();
        prev.forEach(p -> ids.add(p.eventId()));
        var authIds = jakarta.json.Json.createArrayBuilder();
        auth.forEach(p -> authIds.add(p.eventId()));
        var builder = Json.objectBuilder().add("room_id", roomId).add("type", type)
                .add("sender", sender).add("content", content).add("origin_server_ts", System.currentTimeMillis())
                .add("depth", depth).add("prev_events", ids).add("auth_events", authIds);
        if (stateKey != null) {
            builder.add("state_key", stateKey);
        }
        JsonObject json = builder.build();
        return org.hearth.spec.event.EventIds.pdu(version, org.hearth.spec.event.EventSigning.hashAndSign(version,
                json, UserId.parse(sender).domain(), REMOTE_KEY));
    }

    private static final SigningKey REMOTE_KEY = SigningKey.generate("r1");

    /** A public room of {@code creator}'s server, depths 1-4: create, the creator's join, power levels, join rules. */
    private static List<org.hearth.spec.event.Pdu> remoteRoomStart(RoomVersion v, String roomId, String creator) {
        var create = remote(v, roomId, "m.room.create", "", creator, Json.objectBuilder().add("creator", creator)
                .add("room_version", "10").build(), 1, List.of(), List.of());
        var creatorJoin = remote(v, roomId, "m.room.member", creator, creator, Json.objectBuilder()
                .add("membership", "join").build(), 2, List.of(create), List.of(create));
        var power = remote(v, roomId, "m.room.power_levels", "", creator, Json.objectBuilder()
                .add("users", Json.objectBuilder().add(creator, 100)).build(), 3, List.of(creatorJoin),
                List.of(create, creatorJoin));
        var rules = remote(v, roomId, "m.room.join_rules", "", creator, Json.objectBuilder()
                .add("join_rule", "public").build(), 4, List.of(power), List.of(create, creatorJoin, power));
        return List.of(create, creatorJoin, power, rules);
    }

    @Test
    void aRemoteJoinIsQueuedForTheRoomsOtherServersInItsOwnCommit() {
        RoomVersion v = RoomVersion.V10;
        String roomId = "!outbox" + System.nanoTime() + ":remote.example";
        String carol = "@carol:remote.example";
        String dave = "@dave:third.example";
        var start = remoteRoomStart(v, roomId, carol);
        var create = start.get(0);
        var carolJoin = start.get(1);
        var power = start.get(2);
        var rules = start.get(3);
        var daveJoin = remote(v, roomId, "m.room.member", dave, dave, Json.objectBuilder()
                .add("membership", "join").build(), 5, List.of(rules), List.of(create, power, rules));
        var bobJoin = remote(v, roomId, "m.room.member", BOB.value(), BOB.value(), Json.objectBuilder()
                .add("membership", "join").build(), 6, List.of(daveJoin), List.of(create, power, rules));
        var outbox = new RecordingOutbox(Set.of());
        rooms.engine().useOutbound(outbox);
        try {
            var state = List.of(create, carolJoin, power, rules, daveJoin);
            rooms.engine().joinRemote(v, RoomId.parse(roomId), state, state, bobJoin);
        } finally {
            rooms.engine().useOutbound(org.hearth.core.port.OutboundPdus.NONE);
        }
        // Written with the join's own transaction, to every server joined per the state (never this one).
        assertEquals(List.of(bobJoin.eventId() + " -> [remote.example, third.example]"), outbox.queued);
    }

    @Test
    void receivedMessagesContinuingTheRoomArePlacedInOneCommitUpToTheFirstStateEvent() throws SQLException {
        RoomVersion v = RoomVersion.V10;
        String roomId = "!chain" + System.nanoTime() + ":remote.example";
        String carol = "@carol:remote.example";
        var start = remoteRoomStart(v, roomId, carol);
        var create = start.get(0);
        var carolJoin = start.get(1);
        var power = start.get(2);
        var rules = start.get(3);
        var bobJoin = remote(v, roomId, "m.room.member", BOB.value(), BOB.value(), Json.objectBuilder()
                .add("membership", "join").build(), 5, List.of(rules), List.of(create, power, rules));
        var state = List.of(create, carolJoin, power, rules);
        RoomId room = RoomId.parse(roomId);
        rooms.engine().joinRemote(v, room, state, state, bobJoin);

        List<org.hearth.spec.event.Pdu> sent = new ArrayList<>();
        var prev = bobJoin;
        for (int i = 0; i < 5; i++) {
            prev = remote(v, roomId, "m.room.message", null, carol, text("m" + i), 6 + i, List.of(prev),
                    List.of(create, power, carolJoin));
            sent.add(prev);
        }
        var topic = remote(v, roomId, "m.room.topic", "", carol, Json.objectBuilder().add("topic", "t").build(), 11,
                List.of(prev), List.of(create, power, carolJoin));
        var after = remote(v, roomId, "m.room.message", null, carol, text("after"), 12, List.of(topic),
                List.of(create, power, carolJoin));
        List<org.hearth.spec.event.Pdu> all = new ArrayList<>(sent);
        all.add(topic);
        all.add(after);

        long commits = rooms.engine().receivedCommits();
        int notifications = notified.size();
        assertEquals(5, rooms.engine().receiveChain(room, all));
        assertEquals(commits + 1, rooms.engine().receivedCommits());
        assertEquals(notifications + 1, notified.size());
        // A state event is placed by receive, which keeps snapshots; what follows it chains again.
        assertEquals(0, rooms.engine().receiveChain(room, all.subList(5, 7)));
        rooms.engine().receive(room, topic);
        assertEquals(1, rooms.engine().receiveChain(room, all.subList(6, 7)));
        // Already placed: left to receive, which returns the stored event.
        assertEquals(0, rooms.engine().receiveChain(room, List.of(after)));

        List<String> timeline = rooms.reader().timeline(room, 0, rooms.reader().currentPosition(), 100, false)
                .stream().filter(e -> !e.pdu().isState()).map(StoredEvent::eventId).toList();
        assertEquals(all.stream().filter(p -> !p.isState()).map(org.hearth.spec.event.Pdu::eventId).toList(),
                timeline);
        assertEquals(List.of(after.eventId()), extremities(roomId));
    }

    @Test
    void ownEventComingBackThroughReceiveIsQueuedInItsCommit() throws Exception {
        RoomId room = createRoom(RoomVersion.V10, "private_chat", List.of());
        JsonObject template = rooms.engine().template(room, ALICE, EventDraft.state("m.room.member",
                "@erin:remote.example", Json.objectBuilder().add("membership", "invite").build()));
        var invite = org.hearth.spec.event.EventIds.pdu(RoomVersion.V10, org.hearth.spec.event.EventSigning
                .hashAndSign(RoomVersion.V10, template, "test.example", SigningKey.generate("x")));
        var outbox = new RecordingOutbox(Set.of("other.example"));
        rooms.engine().useOutbound(outbox);
        try {
            rooms.engine().receive(room, invite);
        } finally {
            rooms.engine().useOutbound(org.hearth.core.port.OutboundPdus.NONE);
        }
        assertEquals(List.of(invite.eventId() + " -> [other.example]"), outbox.queued);
    }

    private static List<String> extremities(String roomId) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + NAME, "root", "");
             var s = c.prepareStatement("SELECT event_id FROM forward_extremities WHERE room_id = ?")) {
            s.setString(1, roomId);
            List<String> ids = new ArrayList<>();
            try (var r = s.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getString(1));
                }
            }
            return ids;
        }
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
