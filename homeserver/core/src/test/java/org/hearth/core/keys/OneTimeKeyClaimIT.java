package org.hearth.core.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.spec.id.UserId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The claim of a one-time key against MariaDB with a forced interleaving: a second claim runs while the first
 * still holds its key uncommitted. It must take another key at once; the same key (no row lock) or waiting for the
 * first (no SKIP LOCKED, which here deadlocks until the lock wait times out) both fail.
 */
class OneTimeKeyClaimIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static Database database;
    private final KeyRepository keys = new KeyRepository();

    @BeforeAll
    static void start() throws SQLException {
        admin("CREATE DATABASE " + NAME);
        database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 4));
        Migrations.apply(database.dataSource());
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

    private Optional<KeyRepository.ClaimedKey> take(UserId user) {
        return database.transaction(tx -> keys.takeOneTimeKey(tx, user, "DEV", "signed_curve25519"));
    }

    @Test
    void aClaimWhileAnotherHoldsTheOldestKeyTakesTheNextWithoutWaiting() throws Exception {
        UserId alice = UserId.parse("@alice:example.org");
        database.transaction(tx -> {
            for (int i = 1; i <= 3; i++) {
                keys.insertOneTimeKey(tx, alice, "DEV", "signed_curve25519", "K" + i, "{\"key\": \"k" + i + "\"}");
            }
            return null;
        });
        CountDownLatch firstHolds = new CountDownLatch(1);
        CountDownLatch secondDone = new CountDownLatch(1);
        CompletableFuture<Optional<KeyRepository.ClaimedKey>> first = CompletableFuture.supplyAsync(() ->
                database.transaction(tx -> {
                    var key = keys.takeOneTimeKey(tx, alice, "DEV", "signed_curve25519");
                    firstHolds.countDown();
                    try {
                        // Keeps the transaction (and its row lock) open until the second claim is through.
                        assertTrue(secondDone.await(120, TimeUnit.SECONDS), "the second claim never finished");
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return key;
                }));
        assertTrue(firstHolds.await(120, TimeUnit.SECONDS), "the first claim never took a key");
        Optional<KeyRepository.ClaimedKey> second;
        try {
            second = take(alice);
        } finally {
            secondDone.countDown();
        }
        Optional<KeyRepository.ClaimedKey> firstKey = first.get(120, TimeUnit.SECONDS);
        assertEquals("K1", firstKey.orElseThrow().keyId());
        assertNotEquals(firstKey.orElseThrow().keyId(), second.orElseThrow().keyId());
        assertEquals("K2", second.orElseThrow().keyId());
        assertEquals("K3", take(alice).orElseThrow().keyId());
        assertTrue(take(alice).isEmpty(), "three keys were taken, none is left");
    }
}
