package org.hearth.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Presence timeouts: a user whose syncs stopped goes offline after 30 s, as in Synapse; one sweep for all. */
class PresenceTimeoutIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static final AtomicLong now = new AtomicLong(1_800_000_000_000L);
    private static Database database;
    private static PresenceStream presence;

    private static final Clock CLOCK = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    private static final RoomMembership NOBODY = new RoomMembership() {
        public boolean isJoined(UserId user, RoomId room) {
            return false;
        }

        public Set<RoomId> joinedRooms(UserId user) {
            return Set.of();
        }

        public Set<UserId> localMembers(RoomId room) {
            return Set.of();
        }

        public Set<UserId> usersSharingRooms(UserId user) {
            return Set.of();
        }

        public Set<UserId> joinedMembers(RoomId room) {
            return Set.of();
        }

        public java.util.List<MembershipChange> membershipChanges(long from, long to) {
            return java.util.List.of();
        }
    };

    @BeforeAll
    static void start() throws SQLException {
        admin("CREATE DATABASE " + NAME);
        database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 4));
        Migrations.apply(database.dataSource());
        presence = new PresenceStream(database, new Notifier(NOBODY), NOBODY, CLOCK);
    }

    @AfterAll
    static void stop() throws SQLException {
        if (database != null) {
            database.close();
        }
        admin("DROP DATABASE IF EXISTS " + NAME);
    }

    private static JsonObject status(UserId user) {
        return presence.status(user, user);
    }

    @Test
    void syncsKeepAUserOnlineAndTheirEndSendsThemOffline() {
        UserId alice = UserId.parse("@alice:example.org");
        assertTrue(presence.syncStarted(alice, Optional.of("online")));
        presence.onSync(alice, "online");
        assertEquals("online", status(alice).getString("presence"));
        assertTrue(status(alice).getBoolean("currently_active"));
        // A long-poll in flight keeps the user online however long it waits.
        now.addAndGet(100_000);
        presence.sweep();
        assertEquals("online", status(alice).getString("presence"));
        presence.syncEnded(alice);
        now.addAndGet(29_000);
        presence.sweep();
        assertEquals("online", status(alice).getString("presence"));
        now.addAndGet(2_000);
        presence.sweep();
        JsonObject gone = status(alice);
        assertEquals("offline", gone.getString("presence"));
        assertFalse(gone.getBoolean("currently_active"));
        assertEquals(131_000, gone.getJsonNumber("last_active_ago").longValue());
        // Syncing again brings them back.
        assertTrue(presence.syncStarted(alice, Optional.of("online")));
        presence.onSync(alice, "online");
        presence.syncEnded(alice);
        assertEquals("online", status(alice).getString("presence"));
    }

    @Test
    void anIdleSyncingUserBecomesUnavailableUntilActiveAgain() {
        UserId bea = UserId.parse("@bea:example.org");
        assertTrue(presence.syncStarted(bea, Optional.of("online")));
        presence.onSync(bea, "online");
        // Syncing is not activity: a long-poll after another keeps bea online but not active.
        now.addAndGet(90_000);
        presence.onSync(bea, "online");
        presence.sweep();
        JsonObject quiet = status(bea);
        assertEquals("online", quiet.getString("presence"));
        assertFalse(quiet.getBoolean("currently_active"));
        assertEquals(90_000, quiet.getJsonNumber("last_active_ago").longValue());
        now.addAndGet(PresenceStream.DEFAULT_IDLE_TIMEOUT_MS - 90_000 + 1);
        presence.sweep();
        JsonObject idle = status(bea);
        assertEquals("unavailable", idle.getString("presence"));
        assertFalse(idle.getBoolean("currently_active"));
        // More syncs asking for online do not undo the idle timer...
        presence.onSync(bea, "online");
        assertEquals("unavailable", status(bea).getString("presence"));
        // ...activity does.
        now.addAndGet(1_000);
        presence.active(bea);
        JsonObject back = status(bea);
        assertEquals("online", back.getString("presence"));
        assertTrue(back.getBoolean("currently_active"));
        assertEquals(0, back.getJsonNumber("last_active_ago").longValue());
        presence.syncEnded(bea);
        now.addAndGet(31_000);
        presence.sweep();
        assertEquals("offline", status(bea).getString("presence"));
    }

    @Test
    void theIdleTimeoutIsConfigurable() {
        UserId cy = UserId.parse("@cy:example.org");
        presence.useIdleTimeout(10_000);
        try {
            assertTrue(presence.syncStarted(cy, Optional.of("online")));
            presence.onSync(cy, "online");
            now.addAndGet(10_001);
            presence.sweep();
            assertEquals("unavailable", status(cy).getString("presence"));
            // An explicit choice of online (PUT /presence) is activity too.
            presence.set(cy, "online", Optional.empty());
            assertEquals("online", status(cy).getString("presence"));
            presence.syncEnded(cy);
        } finally {
            presence.useIdleTimeout(PresenceStream.DEFAULT_IDLE_TIMEOUT_MS);
        }
    }

    @Test
    void offlineSyncsAreNotTrackedAndThousandsOfUsersTakeOneSweep() {
        UserId ghost = UserId.parse("@ghost:example.org");
        assertFalse(presence.syncStarted(ghost, Optional.of("offline")));
        for (int i = 0; i < 2_000; i++) {
            UserId user = UserId.parse("@many" + i + ":example.org");
            presence.syncStarted(user, Optional.of("online"));
            presence.syncEnded(user);
        }
        long t0 = System.nanoTime();
        presence.sweep();
        long micros = (System.nanoTime() - t0) / 1_000;
        System.out.printf("MEASURE presence sweep over 2,000 syncing users, none expired: %d us%n", micros);
        now.addAndGet(31_000);
        presence.sweep();
        assertEquals("offline", status(UserId.parse("@many7:example.org")).getString("presence"));
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
