package org.hearth.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.EventId;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The streams and SyncHandler on the MariaDB at 127.0.0.1:3306, with the room engine played by fakes. */
class SyncHandlerIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static final RoomId ROOM = RoomId.parse("!room:example.org");
    private static final RoomId OTHER_ROOM = RoomId.parse("!other:example.org");
    private static Database database;
    private static FakeMembership membership;
    private static ScriptedRooms rooms;
    private static Notifier notifier;
    private static AccountDataStream accountData;
    private static TypingStream typing;
    private static ReceiptStream receipts;
    private static PresenceStream presence;
    private static FilterStore filters;
    private static ToDeviceStream toDevice;
    private static DeviceListStream deviceLists;
    private static SyncHandler sync;
    private static final AtomicLong users = new AtomicLong();

    /** The room engine's part: one joined room whose timeline holds one message per position. */
    static final class ScriptedRooms implements RoomsStream {
        final AtomicLong position = new AtomicLong();

        @Override
        public long currentPosition() {
            return position.get();
        }

        @Override
        public Rooms sync(UserId user, long from, long to, Request request) {
            if (!membership.isJoined(user, ROOM) || (from >= to && !request.fullState())) {
                return Rooms.NONE;
            }
            var events = new java.util.ArrayList<JsonObject>();
            for (long i = from + 1; i <= to; i++) {
                events.add(Json.parseObject("{\"type\": \"m.room.message\", \"sender\": \"@x:example.org\", \"event_id\": \"$e" + i
                        + "\", \"origin_server_ts\": 1, \"content\": {\"body\": \"m" + i + "\", \"msgtype\": \"m.text\"}}"));
            }
            events.add(Json.parseObject("{\"type\": \"m.reaction\", \"sender\": \"@x:example.org\", \"event_id\": \"$r\", \"origin_server_ts\": 1, \"content\": {}}"));
            return new Rooms(List.of(new JoinedRoom(ROOM, new Timeline(events, false, "p" + from), List.of(),
                    Json.parseObject("{\"m.joined_member_count\": 2}"),
                    Json.parseObject("{\"notification_count\": 0, \"highlight_count\": 0}"))), List.of(), List.of(), List.of());
        }
    }

    @BeforeAll
    static void start() throws SQLException {
        admin("CREATE DATABASE " + NAME);
        database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 4));
        Migrations.apply(database.dataSource());
        membership = new FakeMembership();
        rooms = new ScriptedRooms();
        notifier = new Notifier(membership);
        accountData = new AccountDataStream(database, notifier);
        typing = new TypingStream(notifier, membership, Clock.systemUTC());
        receipts = new ReceiptStream(database, notifier, membership, accountData, Clock.systemUTC());
        presence = new PresenceStream(database, notifier, membership, Clock.systemUTC());
        filters = new FilterStore(database);
        toDevice = new ToDeviceStream(database, notifier, user -> java.util.Set.of("D1", "D2"),
                org.hearth.spec.id.ServerName.parse("example.org"), Clock.systemUTC());
        deviceLists = new DeviceListStream(database, notifier, membership);
        sync = new SyncHandler(rooms, membership, notifier, database, typing, receipts, presence, accountData, toDevice,
                deviceLists);
    }

    @AfterAll
    static void stop() throws SQLException {
        if (database != null) {
            database.close();
        }
        admin("DROP DATABASE IF EXISTS " + NAME);
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static UserId newUser() {
        return UserId.parse("@u" + users.incrementAndGet() + "_" + NAME + ":example.org");
    }

    private static JsonObject sync(UserId user, String since, long timeout) throws InterruptedException {
        return sync(user, since, timeout, SyncFilter.EMPTY);
    }

    private static JsonObject sync(UserId user, String since, long timeout, SyncFilter filter) throws InterruptedException {
        return sync(user, "DEV", since, timeout, filter);
    }

    private static JsonObject sync(UserId user, String device, String since, long timeout, SyncFilter filter)
            throws InterruptedException {
        return sync.sync(new SyncHandler.Request(user, device, Optional.ofNullable(since).map(SyncToken::parse), timeout,
                false, Optional.empty(), filter));
    }

    private static List<String> types(jakarta.json.JsonArray events) {
        return events.stream().map(v -> v.asJsonObject().getString("type")).toList();
    }

    @Test
    void initialSyncHasEverySectionOfTheSpecShape() throws Exception {
        var body = sync(newUser(), null, 0);
        assertTrue(body.getString("next_batch").startsWith("s"));
        for (String section : List.of("join", "invite", "leave", "knock")) {
            assertEquals(JsonValue.EMPTY_JSON_OBJECT, body.getJsonObject("rooms").getJsonObject(section));
        }
        assertEquals(0, body.getJsonObject("presence").getJsonArray("events").size());
        // Never-set push rules: the server defaults, as Synapse sends them.
        assertEquals(List.of("m.push_rules"), types(body.getJsonObject("account_data").getJsonArray("events")));
        assertEquals(0, body.getJsonObject("to_device").getJsonArray("events").size());
        assertTrue(body.getJsonObject("device_lists").containsKey("changed"));
    }

    @Test
    void accountDataAppearsInitiallyThenOnlyWhenChanged() throws Exception {
        var alice = newUser();
        accountData.put(alice, Optional.empty(), "m.direct", Json.parseObject("{\"@b:x\": [\"!r:x\"]}"));
        var first = sync(alice, null, 0);
        assertEquals(List.of("m.direct", "m.push_rules"), types(first.getJsonObject("account_data").getJsonArray("events")));

        var nothing = sync(alice, first.getString("next_batch"), 0);
        assertEquals(0, nothing.getJsonObject("account_data").getJsonArray("events").size());

        accountData.put(alice, Optional.empty(), "org.example.custom", Json.parseObject("{\"a\": 1}"));
        var second = sync(alice, first.getString("next_batch"), 0);
        var events = second.getJsonObject("account_data").getJsonArray("events");
        assertEquals(List.of("org.example.custom"), types(events));
        assertEquals(1, events.getJsonObject(0).getJsonObject("content").getInt("a"));
        assertEquals(Json.parseObject("{\"a\": 1}"), accountData.get(alice, Optional.empty(), "org.example.custom"));
    }

    @Test
    void longPollReturnsWithinMillisecondsOfAChange() throws Exception {
        var alice = newUser();
        String since = sync(alice, null, 0).getString("next_batch");
        var committed = new AtomicLong();
        var writer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(300);
                accountData.put(alice, Optional.empty(), "m.ignored_user_list", Json.parseObject("{\"ignored_users\": {}}"));
                committed.set(System.nanoTime());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        var body = sync(alice, since, 20_000);
        long answered = System.nanoTime();
        writer.join();
        assertEquals(List.of("m.ignored_user_list"), types(body.getJsonObject("account_data").getJsonArray("events")));
        assertTrue(answered - start < 2_000_000_000L, "answered after " + (answered - start) / 1_000_000 + " ms");
        System.out.printf("long-poll answered %.1f ms after the writer's commit returned%n",
                (answered - committed.get()) / 1e6);
    }

    @Test
    void longPollWithNothingNewWaitsForTheTimeout() throws Exception {
        var alice = newUser();
        String since = sync(alice, null, 0).getString("next_batch");
        // Another user's change must not end this wait.
        var bob = newUser();
        Thread.ofVirtual().start(() -> accountData.put(bob, Optional.empty(), "m.direct", JsonValue.EMPTY_JSON_OBJECT));
        long start = System.nanoTime();
        var body = sync(alice, since, 700);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs >= 690, "returned after " + tookMs + " ms");
        assertEquals(0, body.getJsonObject("account_data").getJsonArray("events").size());
    }

    @Test
    void serverControlledTypesAreRefusedWith405BadJson() {
        var e = assertThrows(MatrixException.class,
                () -> accountData.put(newUser(), Optional.of(ROOM), "m.fully_read", JsonValue.EMPTY_JSON_OBJECT));
        assertEquals(ErrorCode.BAD_JSON, e.code());
        assertEquals(405, e.status());
        assertEquals(405, assertThrows(MatrixException.class,
                () -> accountData.put(newUser(), Optional.empty(), "m.push_rules", JsonValue.EMPTY_JSON_OBJECT)).status());
    }

    @Test
    void joinedRoomCarriesTimelineTagsTypingAndReceipts() throws Exception {
        var alice = newUser();
        var bob = newUser();
        membership.join(alice, ROOM).join(bob, ROOM);
        String since = sync(alice, null, 0).getString("next_batch");

        accountData.putTag(alice, ROOM, "m.favourite", Json.parseObject("{\"order\": 0.5}"));
        accountData.putTag(alice, ROOM, "u.work", JsonValue.EMPTY_JSON_OBJECT);
        accountData.deleteTag(alice, ROOM, "u.work");
        typing.set(bob, ROOM, true, 30_000);
        receipts.receipt(bob, ROOM, ReceiptStream.READ, EventId.parse("$e1"), Optional.empty());
        receipts.receipt(bob, ROOM, ReceiptStream.READ_PRIVATE, EventId.parse("$e2"), Optional.empty());
        receipts.receipt(alice, ROOM, ReceiptStream.READ, EventId.parse("$e1"), Optional.of("main"));
        receipts.receipt(alice, ROOM, ReceiptStream.FULLY_READ, EventId.parse("$e1"), Optional.empty());
        rooms.position.incrementAndGet();

        var room = sync(alice, since, 0).getJsonObject("rooms").getJsonObject("join").getJsonObject(ROOM.value());
        assertEquals(Json.parseObject("{\"m.favourite\": {\"order\": 0.5}}"), accountData.tags(alice, ROOM));
        var roomData = room.getJsonObject("account_data").getJsonArray("events");
        assertTrue(types(roomData).containsAll(List.of("m.tag", "m.fully_read")), roomData.toString());
        for (var v : roomData) {
            if (v.asJsonObject().getString("type").equals("m.tag")) {
                assertEquals(Json.parseObject("{\"tags\": {\"m.favourite\": {\"order\": 0.5}}}"), v.asJsonObject().getJsonObject("content"));
            }
        }
        var ephemeral = room.getJsonObject("ephemeral").getJsonArray("events");
        assertEquals(List.of("m.typing", "m.receipt"), types(ephemeral));
        assertEquals(List.of(Json.string(bob.value())),
                ephemeral.getJsonObject(0).getJsonObject("content").getJsonArray("user_ids"));
        var receiptContent = ephemeral.getJsonObject(1).getJsonObject("content");
        var readE1 = receiptContent.getJsonObject("$e1").getJsonObject("m.read");
        assertTrue(readE1.containsKey(bob.value()));
        assertEquals("main", readE1.getJsonObject(alice.value()).getString("thread_id"));
        assertFalse(receiptContent.containsKey("$e2"), "bob's private receipt is bob's alone");
        assertEquals(2, room.getJsonObject("timeline").getJsonArray("events").size());

        var bobView = sync(bob, since, 0).getJsonObject("rooms").getJsonObject("join").getJsonObject(ROOM.value());
        var bobReceipts = bobView.getJsonObject("ephemeral").getJsonArray("events").stream()
                .map(JsonValue::asJsonObject).filter(e -> e.getString("type").equals("m.receipt")).findFirst().orElseThrow();
        assertTrue(bobReceipts.getJsonObject("content").getJsonObject("$e2").containsKey("m.read.private"));
        assertFalse(bobView.getJsonObject("account_data").getJsonArray("events").stream()
                .anyMatch(e -> e.asJsonObject().getString("type").equals("m.tag")), "alice's tags are alice's alone");
    }

    @Test
    void typingWakesEveryMemberOfTheRoomOnly() throws Exception {
        var alice = newUser();
        var bob = newUser();
        var stranger = newUser();
        membership.join(alice, OTHER_ROOM).join(bob, OTHER_ROOM);
        String since = sync(alice, null, 0).getString("next_batch");
        try (var strangerWaits = notifier.register(stranger)) {
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
                typing.set(bob, OTHER_ROOM, true, 10_000);
            });
            long start = System.nanoTime();
            var body = sync(alice, since, 10_000);
            assertTrue((System.nanoTime() - start) / 1_000_000 < 2_000);
            var room = body.getJsonObject("rooms").getJsonObject("join").getJsonObject(OTHER_ROOM.value());
            assertEquals(List.of("m.typing"), types(room.getJsonObject("ephemeral").getJsonArray("events")));
            assertFalse(strangerWaits.woken());
        }
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(MatrixException.class,
                () -> receipts.receipt(stranger, OTHER_ROOM, ReceiptStream.READ, EventId.parse("$x"), Optional.empty())).code());
    }

    @Test
    void presenceReachesRoomSharersNotStrangers() throws Exception {
        var alice = newUser();
        var bob = newUser();
        var stranger = newUser();
        var room = RoomId.parse("!p" + users.incrementAndGet() + ":example.org");
        membership.join(alice, room).join(bob, room);
        String bobSince = sync(bob, null, 0).getString("next_batch");
        String strangerSince = sync(stranger, null, 0).getString("next_batch");

        presence.set(alice, "unavailable", Optional.of("lunch"));
        var status = presence.status(bob, alice);
        assertEquals("unavailable", status.getString("presence"));
        assertEquals("lunch", status.getString("status_msg"));
        assertEquals(ErrorCode.FORBIDDEN, assertThrows(MatrixException.class, () -> presence.status(stranger, alice)).code());

        var events = sync(bob, bobSince, 0).getJsonObject("presence").getJsonArray("events");
        var aliceEvent = events.stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("sender").equals(alice.value())).findFirst().orElseThrow();
        assertEquals("m.presence", aliceEvent.getString("type"));
        assertEquals("unavailable", aliceEvent.getJsonObject("content").getString("presence"));
        assertTrue(sync(stranger, strangerSince, 0).getJsonObject("presence").getJsonArray("events").stream()
                .noneMatch(e -> e.asJsonObject().getString("sender").equals(alice.value())));

        sync.sync(new SyncHandler.Request(alice, "DEV", Optional.empty(), 0, false, Optional.of("online"), SyncFilter.EMPTY));
        assertEquals("online", presence.status(alice, alice).getString("presence"));
        assertTrue(presence.status(alice, alice).getBoolean("currently_active"));
    }

    @Test
    void filtersAreStoredPerUserAndAppliedToTimelines() throws Exception {
        var alice = newUser();
        membership.join(alice, ROOM);
        String id = filters.create(alice, Json.parseObject(
                "{\"room\": {\"timeline\": {\"types\": [\"m.room.message\"]}}, \"event_fields\": [\"type\", \"content.body\"]}"));
        assertEquals(Json.parseObject("{\"room\": {\"timeline\": {\"types\": [\"m.room.message\"]}}, \"event_fields\": [\"type\", \"content.body\"]}"),
                filters.get(alice, id));
        assertEquals(ErrorCode.NOT_FOUND, assertThrows(MatrixException.class, () -> filters.get(newUser(), id)).code());
        assertEquals(ErrorCode.INVALID_PARAM, assertThrows(MatrixException.class, () -> filters.resolve(alice, "999999999")).code());
        assertEquals(ErrorCode.INVALID_PARAM, assertThrows(MatrixException.class, () -> filters.resolve(alice, "{nope")).code());

        rooms.position.incrementAndGet();
        var timeline = sync(alice, null, 0, filters.resolve(alice, id)).getJsonObject("rooms").getJsonObject("join")
                .getJsonObject(ROOM.value()).getJsonObject("timeline").getJsonArray("events");
        assertFalse(timeline.isEmpty());
        for (var e : timeline) {
            assertEquals("m.room.message", e.asJsonObject().getString("type"));
            assertEquals(java.util.Set.of("type", "content"), e.asJsonObject().keySet());
            assertEquals(java.util.Set.of("body"), e.asJsonObject().getJsonObject("content").keySet());
        }
    }

    @Test
    void toDeviceMessagesReachTheirDeviceOnceAndStayUntilAcknowledged() throws Exception {
        var alice = newUser();
        var bob = newUser();
        String d1 = sync(bob, "D1", null, 0, SyncFilter.EMPTY).getString("next_batch");
        String d2 = sync(bob, "D2", null, 0, SyncFilter.EMPTY).getString("next_batch");
        var content = Json.parseObject("{\"k\": \"v\"}");
        toDevice.send(alice, "A1", "m.room_key_request", "txn1", java.util.Map.of(bob, java.util.Map.of("D1", content)));
        toDevice.send(alice, "A1", "m.room_key_request", "txn1", java.util.Map.of(bob, java.util.Map.of("D1", content)));
        toDevice.send(alice, "A1", "m.dummy", "txn2", java.util.Map.of(bob, java.util.Map.of("*", content)));

        var first = sync(bob, "D1", d1, 0, SyncFilter.EMPTY);
        var events = first.getJsonObject("to_device").getJsonArray("events");
        assertEquals(List.of("m.room_key_request", "m.dummy"), types(events), "the retried txn1 is delivered once");
        assertEquals(alice.value(), events.getJsonObject(0).getString("sender"));
        assertEquals(content, events.getJsonObject(0).getJsonObject("content"));
        // Not acknowledged yet: the same since gives the same messages again.
        assertEquals(2, sync(bob, "D1", d1, 0, SyncFilter.EMPTY).getJsonObject("to_device").getJsonArray("events").size());
        assertEquals(0, sync(bob, "D1", first.getString("next_batch"), 0, SyncFilter.EMPTY)
                .getJsonObject("to_device").getJsonArray("events").size());
        // That acknowledgement deleted them, though nothing new came: the old since finds none.
        assertEquals(0, sync(bob, "D1", d1, 0, SyncFilter.EMPTY).getJsonObject("to_device").getJsonArray("events").size());
        assertEquals(List.of("m.dummy"), types(sync(bob, "D2", d2, 0, SyncFilter.EMPTY)
                .getJsonObject("to_device").getJsonArray("events")));
    }

    @Test
    void newsTheFilterDropsDoesNotEndTheLongPoll() throws Exception {
        var alice = newUser();
        var bob = newUser();
        var room = RoomId.parse("!f" + users.incrementAndGet() + ":example.org");
        membership.join(alice, room).join(bob, room);
        var noTyping = SyncFilter.parse(Json.parseObject("{\"room\": {\"ephemeral\": {\"not_types\": [\"m.typing\"]}}}"));
        String since = sync(alice, null, 0, noTyping).getString("next_batch");
        Thread.ofVirtual().start(() -> typing.set(bob, room, true, 10_000));
        long start = System.nanoTime();
        var body = sync(alice, since, 600, noTyping);
        assertTrue((System.nanoTime() - start) / 1_000_000 >= 590, "typing was filtered out: the sync waits");
        assertFalse(body.getJsonObject("rooms").getJsonObject("join").containsKey(room.value()));
    }

    @Test
    void deviceListChangesReachRoomSharersInIncrementalSyncs() throws Exception {
        var alice = newUser();
        var bob = newUser();
        var stranger = newUser();
        var room = RoomId.parse("!d" + users.incrementAndGet() + ":example.org");
        membership.join(alice, room).join(bob, room);
        String bobSince = sync(bob, null, 0).getString("next_batch");
        String strangerSince = sync(stranger, null, 0).getString("next_batch");
        Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            deviceLists.devicesChanged(alice);
        });
        var body = sync(bob, bobSince, 10_000);
        assertEquals(List.of(Json.string(alice.value())), body.getJsonObject("device_lists").getJsonArray("changed"));
        assertTrue(sync(stranger, strangerSince, 0).getJsonObject("device_lists").getJsonArray("changed").isEmpty());
    }
}
