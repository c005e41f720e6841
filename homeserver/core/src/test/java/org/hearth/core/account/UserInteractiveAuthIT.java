package org.hearth.core.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.core.storage.Database;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The UIA state machine against real storage (MariaDB at 127.0.0.1:3306, scratch database), with a settable clock. */
class UserInteractiveAuthIT {
    private static final String SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final String NAME = "hearth_test_" + System.currentTimeMillis() / 1000 + "_"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt() >>> 1);
    private static final AtomicLong NOW = new AtomicLong(1_800_000_000_000L);
    private static final Clock CLOCK = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(NOW.get());
        }
    };
    private static final UiaFlows TWO_STAGES = new UiaFlows(List.of(
            List.of(UiaFlows.DUMMY, UiaFlows.REGISTRATION_TOKEN), List.of(UiaFlows.PASSWORD)));

    private static Database database;
    private static RegistrationTokens tokens;
    private static UserInteractiveAuth uia;

    @BeforeAll
    static void createScratchDatabase() throws SQLException {
        admin("CREATE DATABASE " + NAME + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        database = Database.open(new DatabaseSettings(SERVER + NAME, "root", "", 2));
        Migrations.apply(database.dataSource());
        tokens = new RegistrationTokens(database, CLOCK);
        uia = new UserInteractiveAuth(database, CLOCK, ServerName.parse("example.org"), tokens);
    }

    @AfterAll
    static void dropScratchDatabase() throws SQLException {
        if (database != null) {
            database.close();
        }
        admin("DROP DATABASE IF EXISTS " + NAME);
    }

    private static JsonObject challenge(Runnable r) {
        return assertThrows(AuthRequired.class, r::run).body();
    }

    @Test
    void stagesAccumulateInTheStoredSessionUntilAFlowIsComplete() {
        tokens.create("tok1", 1, null, null);
        JsonObject first = challenge(() -> uia.authenticate("register", null, TWO_STAGES, null));
        String session = first.getString("session");
        assertEquals(0, first.getJsonArray("completed").size());

        JsonObject second = challenge(() -> uia.authenticate("register", null, TWO_STAGES,
                Json.parseObject("{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}")));
        assertEquals("[\"m.login.dummy\"]", second.getJsonArray("completed").toString());

        JsonObject failed = challenge(() -> uia.authenticate("register", null, TWO_STAGES,
                Json.parseObject("{\"type\":\"m.login.registration_token\",\"token\":\"nope\",\"session\":\"" + session + "\"}")));
        assertEquals("M_UNAUTHORIZED", failed.getString("errcode"));
        assertEquals("[\"m.login.dummy\"]", failed.getJsonArray("completed").toString());

        var done = uia.authenticate("register", null, TWO_STAGES,
                Json.parseObject("{\"type\":\"m.login.registration_token\",\"token\":\"tok1\",\"session\":\"" + session + "\"}"));
        assertEquals("tok1", done.registrationToken());
        assertEquals(1, tokens.find("tok1").orElseThrow().pending());
        // The one use is pending: nobody else may take it meanwhile.
        assertEquals(false, tokens.valid("tok1"));
        database.transaction(tx -> {
            tokens.complete(tx, "tok1");
            uia.finish(tx, done);
            return null;
        });
        assertEquals(1, tokens.find("tok1").orElseThrow().completed());
        assertEquals(0, tokens.find("tok1").orElseThrow().pending());
        var gone = assertThrows(MatrixException.class, () -> uia.authenticate("register", null, TWO_STAGES,
                Json.parseObject("{\"session\":\"" + session + "\"}")));
        assertEquals(ErrorCode.UNKNOWN, gone.code());
    }

    @Test
    void sessionsExpireAndReleaseTheirPendingToken() {
        tokens.create("tok2", 1, null, null);
        String session = challenge(() -> uia.authenticate("register", null, TWO_STAGES, null)).getString("session");
        challenge(() -> uia.authenticate("register", null, TWO_STAGES,
                Json.parseObject("{\"type\":\"m.login.registration_token\",\"token\":\"tok2\",\"session\":\"" + session + "\"}")));
        assertEquals(1, tokens.find("tok2").orElseThrow().pending());

        NOW.addAndGet(UserInteractiveAuth.SESSION_LIFETIME.plus(Duration.ofSeconds(1)).toMillis());
        var expired = assertThrows(MatrixException.class, () -> uia.authenticate("register", null, TWO_STAGES,
                Json.parseObject("{\"type\":\"m.login.dummy\",\"session\":\"" + session + "\"}")));
        assertEquals(ErrorCode.UNKNOWN, expired.code());
        // Starting any new session sweeps expired ones.
        challenge(() -> uia.authenticate("register", null, TWO_STAGES, null));
        assertEquals(0, tokens.find("tok2").orElseThrow().pending());
        assertEquals(true, tokens.valid("tok2"));
    }

    @Test
    void aSessionServesOnlyItsOperationAndUser() {
        UserId alice = UserId.parse("@alice:example.org");
        String session = challenge(() -> uia.authenticate("password", alice, UiaFlows.PASSWORD_ONLY, null)).getString("session");
        var other = assertThrows(MatrixException.class, () -> uia.authenticate("deactivate", alice, UiaFlows.PASSWORD_ONLY,
                Json.parseObject("{\"session\":\"" + session + "\"}")));
        assertEquals(ErrorCode.FORBIDDEN, other.code());
        var otherUser = assertThrows(MatrixException.class, () -> uia.authenticate("password", UserId.parse("@bob:example.org"),
                UiaFlows.PASSWORD_ONLY, Json.parseObject("{\"session\":\"" + session + "\"}")));
        assertEquals(ErrorCode.FORBIDDEN, otherUser.code());
    }

    @Test
    void passwordStageChecksTheStoredHash() {
        UserId carol = UserId.parse("@carol:example.org");
        String hash = new PasswordHasher(PasswordHasher.Cost.TEST).hash("right");
        database.transaction(tx -> new AccountRepository().insert(tx, carol, hash, NOW.get(), false, null, null));
        String session = challenge(() -> uia.authenticate("password", carol, UiaFlows.PASSWORD_ONLY, null)).getString("session");
        JsonObject wrong = challenge(() -> uia.authenticate("password", carol, UiaFlows.PASSWORD_ONLY, Json.parseObject(
                "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"carol\"},\"password\":\"bad\",\"session\":\""
                        + session + "\"}")));
        assertEquals("M_FORBIDDEN", wrong.getString("errcode"));
        var done = uia.authenticate("password", carol, UiaFlows.PASSWORD_ONLY, Json.parseObject(
                "{\"type\":\"m.login.password\",\"identifier\":{\"type\":\"m.id.user\",\"user\":\"carol\"},\"password\":\"right\",\"session\":\""
                        + session + "\"}"));
        assertEquals(session, done.sessionId());
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, "root", ""); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
