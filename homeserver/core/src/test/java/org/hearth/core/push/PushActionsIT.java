package org.hearth.core.push;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.port.EventPushActions;
import org.hearth.core.room.EventDraft;
import org.hearth.core.room.RoomCreation;
import org.hearth.core.room.Rooms;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.core.sync.UnreadCounts;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Push actions recorded by the room engine's commits, over the real engine and MariaDB; and what they cost. */
class PushActionsIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static final UserId ALICE = UserId.parse("@alice:test.example");
    private static Database database;
    private static Rooms rooms;
    private static PushActions actions;
    private static UnreadNotifications unread;

    @BeforeAll
    static void start() throws SQLException {
        admin("CREATE DATABASE " + NAME + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 16));
        Migrations.apply(database.dataSource());
        rooms = new Rooms(database, "test.example", SigningKey.generate("a_test"), Clock.systemUTC(), EventNotifier.NONE);
        actions = new PushActions("test.example", new PushRulesets(), new Pushers(database, Clock.systemUTC()));
        unread = new UnreadNotifications(database);
        rooms.engine().usePushActions(actions);
    }

    @AfterAll
    static void stop() throws SQLException {
        if (database != null) {
            database.close();
        }
        admin("DROP DATABASE IF EXISTS " + NAME);
    }

    /** A public room of ALICE joined by {@code members - 1} others (local, or of another server when remote). */
    private static RoomId room(int members, String tag) {
        var creation = new RoomCreation(rooms, ServerName.parse("test.example"), RoomVersion.V12);
        RoomId room = creation.create(ALICE, new RoomCreation.Request(null, null, "Room", "Topic", List.of(), null,
                List.of(), null, "public_chat", false, null));
        for (int i = 1; i < members; i++) {
            UserId user = UserId.parse("@" + tag + i + ":test.example");
            rooms.engine().send(room, user, EventDraft.state("m.room.member", user.value(),
                    Json.objectBuilder().add("membership", "join").add("displayname", "Member " + i).build()), null);
        }
        return room;
    }

    private static JsonObject text(String body) {
        return Json.objectBuilder().add("msgtype", "m.text").add("body", body).build();
    }

    @Test
    void everyJoinedLocalMemberButTheSenderIsCounted() {
        RoomId room = room(4, "count");
        rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("hi")), null);
        rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", Json.objectBuilder()
                .add("msgtype", "m.text").add("body", "ping")
                .add("m.mentions", Json.objectBuilder().add("user_ids", Json.arrayBuilder().add("@count1:test.example")))
                .build()), null);
        Map<String, UnreadCounts.Count> one = unread.unread(UserId.parse("@count1:test.example")).get(room);
        assertEquals(new UnreadCounts.Count(2, 1), one.get(UnreadCounts.MAIN));
        assertEquals(new UnreadCounts.Count(2, 0),
                unread.unread(UserId.parse("@count2:test.example")).get(room).get(UnreadCounts.MAIN));
        assertEquals(null, unread.unread(ALICE).get(room));
    }

    /**
     * V27: a message to a big room writes one room row; only the member whose outcome differs (a mention that
     * highlights) gets a row of their own, and the counts are still per member.
     */
    @Test
    void aMessageWritesOneRoomRowAndRowsOnlyForMembersWhoseOutcomeDiffers() throws SQLException {
        RoomId room = room(50, "rows");
        long roomRowsBefore = count("SELECT COUNT(*) FROM push_room_actions WHERE room_id = '" + room.value() + "'");
        long memberRowsBefore = count("SELECT COUNT(*) FROM event_push_actions WHERE room_id = '"
                + room.value() + "'");
        rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("hi")), null);
        rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", Json.objectBuilder()
                .add("msgtype", "m.text").add("body", "ping")
                .add("m.mentions", Json.objectBuilder().add("user_ids", Json.arrayBuilder().add("@rows7:test.example")))
                .build()), null);
        assertEquals(roomRowsBefore + 2,
                count("SELECT COUNT(*) FROM push_room_actions WHERE room_id = '" + room.value() + "'"));
        assertEquals(memberRowsBefore + 1,
                count("SELECT COUNT(*) FROM event_push_actions WHERE room_id = '" + room.value() + "'"));
        assertEquals(new UnreadCounts.Count(2, 1),
                unread.unread(UserId.parse("@rows7:test.example")).get(room).get(UnreadCounts.MAIN));
        assertEquals(new UnreadCounts.Count(2, 0),
                unread.unread(UserId.parse("@rows8:test.example")).get(room).get(UnreadCounts.MAIN));
        // Everyone's mention (@room) highlights for all: still one room row, now a highlighting one.
        rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", Json.objectBuilder()
                .add("msgtype", "m.text").add("body", "all of you")
                .add("m.mentions", Json.objectBuilder().add("room", true)).build()), null);
        assertEquals(memberRowsBefore + 1,
                count("SELECT COUNT(*) FROM event_push_actions WHERE room_id = '" + room.value() + "'"));
        assertEquals(new UnreadCounts.Count(3, 1),
                unread.unread(UserId.parse("@rows9:test.example")).get(room).get(UnreadCounts.MAIN));
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER + NAME, "root", "");
                Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Not a timed test: prints events/s with and without push evaluation, for the report. */
    @Test
    void measureCost() throws Exception {
        for (int members : new int[] {2, 100, 1000}) {
            RoomId room = room(members, "m" + members + "x");
            send(room, 50, 8); // warm-up: rulesets and member lists cached
            rooms.engine().usePushActions(EventPushActions.NONE);
            double without = send(room, 400, 8);
            rooms.engine().usePushActions(actions);
            double with = send(room, 400, 8);
            System.out.printf("MEASURE push actions, %d members, 8 senders: %.0f events/s without, %.0f with%n",
                    members, without, with);
        }
    }

    /** Not a timed test: the evaluation alone (no database) for a 10,000-member room, for the report. */
    @Test
    void measureEvaluation() {
        int members = 10_000;
        List<org.hearth.spec.push.PushRuleset> rulesets = new ArrayList<>();
        List<UserId> users = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            UserId user = UserId.parse("@e" + i + ":test.example");
            users.add(user);
            rulesets.add(org.hearth.core.sync.PushRulesView.effectiveRuleset(user, java.util.Optional.empty()));
        }
        JsonObject event = Json.objectBuilder().add("type", "m.room.message").add("sender", "@alice:test.example")
                .add("room_id", "!r:test.example").add("content", text("hello everyone")).build();
        var levels = org.hearth.spec.auth.PowerLevels.parse(RoomVersion.V12, Json.objectBuilder().build());
        long notified = 0;
        for (int round = 0; round < 30; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < members; i++) {
                // With a display name, as members have: .m.rule.contains_display_name then scans the body.
                var ctx = org.hearth.spec.push.EvaluationContext.of(users.get(i), "Member " + i, members, levels,
                        "@alice:test.example");
                if (org.hearth.spec.push.PushRuleEvaluator.outcome(rulesets.get(i), event, ctx).notifies()) {
                    notified++;
                }
            }
            if (round >= 25) {
                System.out.printf("MEASURE evaluation, %d members, one message: %.1f ms (%.2f us per member)%n",
                        members, (System.nanoTime() - t0) / 1e6, (System.nanoTime() - t0) / 1e3 / members);
            }
        }
        assertEquals(30L * members, notified);
    }

    private static double send(RoomId room, int total, int senders) throws Exception {
        long t0 = System.nanoTime();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < total / senders; i++) {
                        rooms.engine().send(room, ALICE, EventDraft.message("m.room.message", text("m")), null);
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get();
            }
        }
        return total / ((System.nanoTime() - t0) / 1e9);
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
