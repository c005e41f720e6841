package org.hearth.server.appservice;

import static org.hearth.server.TestServer.json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hearth.server.TestServer;
import org.hearth.server.TestServer.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code rate_limited: false}: the appservice's sender and every user it acts as skip the room send and join limits;
 * an appservice without it (the default is true) is limited like anyone.
 */
class AppServiceRateLimitIT {
    static final Path FREE = registration("free", false);
    static final Path LIMITED = registration("limited", true);

    // Slow refills, so a test never sees a token come back; small bursts, so the limit comes quickly.
    @RegisterExtension
    static final TestServer SERVER = TestServer.withScratchDatabase().with("limits.rate_limits", "true")
            .with("limits.messages_per_second", "0.01").with("limits.messages_burst", "2")
            .with("limits.joins_per_second", "0.01").with("limits.joins_burst", "2")
            .with("app_service_config_files", FREE + "," + LIMITED);

    static Path registration(String id, boolean rateLimited) {
        try {
            Path file = Files.createTempFile("appservice-" + id + "-", ".yaml");
            file.toFile().deleteOnExit();
            return Files.writeString(file, """
                    id: %s
                    url: null
                    as_token: as-%s
                    hs_token: hs-%s
                    sender_localpart: %sbot
                    rate_limited: %s
                    namespaces:
                      users:
                        - exclusive: true
                          regex: '@_%s_.*'
                    """.formatted(id, id, id, id, rateLimited, id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String enc(String s) {
        return AppServiceIT.enc(s);
    }

    static User as(String id, String userId) {
        return new User(SERVER, userId, null, "as-" + id);
    }

    static String asUser(String path, String userId) {
        return userId == null ? path : AppServiceIT.asUser(path, userId);
    }

    private String room(User owner) {
        return owner.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                .json().getString("room_id");
    }

    private void send(User who, String userId, String room, int count, int expectedLast) {
        for (int i = 0; i < count; i++) {
            var response = who.put(asUser("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/t" + i
                    + (userId == null ? "" : userId.hashCode()), userId), json("msgtype", "m.text", "body", "m" + i));
            if (i < count - 1) {
                response.assertStatus(200);
            } else if (expectedLast == 200) {
                response.assertStatus(200);
            } else {
                response.assertError(expectedLast, "M_LIMIT_EXCEEDED");
            }
        }
    }

    @Test
    void theUnlimitedAppServiceSendsAndJoinsPastTheBursts() {
        User bot = as("free", null);
        String room = room(bot);
        send(bot, null, room, 6, 200);

        String ghost = "@_free_ghost:" + SERVER.serverName();
        bot.post("/_matrix/client/v3/register", json("type", "m.login.application_service", "username", "_free_ghost",
                "inhibit_login", true)).assertStatus(200);
        User asGhost = as("free", ghost);
        asGhost.post(asUser("/_matrix/client/v3/join/" + enc(room), ghost), json()).assertStatus(200);
        send(asGhost, ghost, room, 6, 200);
        for (int i = 0; i < 4; i++) {
            asGhost.post(asUser("/_matrix/client/v3/join/" + enc(room(bot)), ghost), json()).assertStatus(200);
        }
    }

    @Test
    void aRateLimitedAppServiceAndOrdinaryUsersAreLimited() {
        User bot = as("limited", null);
        String room = room(bot);
        send(bot, null, room, 3, 429);

        User alice = SERVER.registerWithSharedSecret("asrl_alice", "pw", false);
        String own = room(alice);
        send(alice, null, own, 3, 429);
    }
}
