package org.hearth.core.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

/**
 * Many joins to one room through the engine: the state stays right across many full snapshots (100 joins, three
 * snapshot boundaries, by default). With {@code -Djoinscale.members=N} it is also a measurement, not a check of
 * speed: it prints CPU time and wall time per 500 joins (bench/RESULTS.md).
 */
class JoinScaleIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static final UserId ALICE = UserId.parse("@alice:test.example");

    @Test
    void joinsManyUsersToOneRoom() throws SQLException {
        int members = Integer.getInteger("joinscale.members", 100);
        admin("CREATE DATABASE " + NAME + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        try (Database database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 16))) {
            Migrations.apply(database.dataSource());
            var rooms = new Rooms(database, "test.example", SigningKey.generate("a_test"), Clock.systemUTC(),
                    (room, position, changed) -> { });
            RoomId room = new RoomCreation(rooms, ServerName.parse("test.example"), RoomVersion.V12).create(ALICE,
                    new RoomCreation.Request(null, null, "Big", null, List.of(), null, List.of(), null,
                            "public_chat", false, null));
            var threads = ManagementFactory.getThreadMXBean();
            long wall = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            for (int i = 1; i <= members; i++) {
                UserId user = UserId.parse("@u" + i + ":test.example");
                rooms.engine().send(room, user, EventDraft.state("m.room.member", user.value(),
                        Json.objectBuilder().add("membership", "join").build()), null);
                if (i % 500 == 0) {
                    long nowWall = System.nanoTime();
                    long nowCpu = threads.getCurrentThreadCpuTime();
                    System.out.printf("joinscale members=%d joins/s=%.1f cpu-ms/join=%.2f load=%.2f%n", i,
                            500 / ((nowWall - wall) / 1e9), (nowCpu - cpu) / 1e6 / 500,
                            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
                    wall = nowWall;
                    cpu = nowCpu;
                }
            }
            assertEquals("join", rooms.reader().currentStateEvent(room, "m.room.member", "@u" + members
                    + ":test.example").orElseThrow().pdu().content().getString("membership"));
            assertEquals(members + 1, rooms.reader().currentStateIds(room).keySet().stream()
                    .filter(k -> k.type().equals("m.room.member")).count());
        } finally {
            admin("DROP DATABASE IF EXISTS " + NAME);
        }
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
