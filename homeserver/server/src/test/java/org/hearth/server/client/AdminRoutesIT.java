package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AdminRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    static TestServer.User admin;
    static TestServer.User otherAdmin;

    @BeforeAll
    static void admins() {
        admin = server.registerWithSharedSecret("ad_admin", "pw", true);
        otherAdmin = server.registerWithSharedSecret("ad_admin2", "pw", true);
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String lock(String userId) {
        return "/_matrix/client/v1/admin/lock/" + enc(userId);
    }

    static String suspend(String userId) {
        return "/_matrix/client/v1/admin/suspend/" + enc(userId);
    }

    @Test
    void whoisShowsEachDeviceWithItsLastConnection() {
        var amy = server.register("ad_amy");
        server.client("GET", "/_matrix/client/v3/account/whoami", HttpRequest.BodyPublishers.noBody(),
                "Authorization", "Bearer " + amy.accessToken(), "User-Agent", "HearthTest/1.0").assertStatus(200);
        JsonObject whois = amy.get("/_matrix/client/v3/admin/whois/" + enc(amy.userId())).assertStatus(200).json();
        assertEquals(amy.userId(), whois.getString("user_id"));
        var connection = whois.getJsonObject("devices").getJsonObject(amy.deviceId()).getJsonArray("sessions")
                .getJsonObject(0).getJsonArray("connections").getJsonObject(0);
        assertEquals("127.0.0.1", connection.getString("ip"));
        assertEquals("HearthTest/1.0", connection.getString("user_agent"));
        assertTrue(connection.getJsonNumber("last_seen").longValue() > 0);

        var phone = server.login("ad_amy", TestServer.DEFAULT_PASSWORD);
        JsonObject byAdmin = admin.get("/_matrix/client/r0/admin/whois/" + enc(amy.userId())).assertStatus(200).json();
        assertEquals(2, byAdmin.getJsonObject("devices").size());
        assertTrue(byAdmin.getJsonObject("devices").containsKey(phone.deviceId()));

        var ben = server.register("ad_ben");
        ben.get("/_matrix/client/v3/admin/whois/" + enc(amy.userId())).assertError(403, "M_FORBIDDEN");
        admin.get("/_matrix/client/v3/admin/whois/" + enc("@x:elsewhere.example")).assertError(400, "M_INVALID_PARAM");
        admin.get("/_matrix/client/v3/admin/whois/notauser").assertError(400, "M_INVALID_PARAM");
        JsonObject nobody = admin.get("/_matrix/client/v3/admin/whois/" + enc("@nobody:" + server.serverName())).assertStatus(200).json();
        assertEquals(0, nobody.getJsonObject("devices").size());
        server.client("GET", "/_matrix/client/v3/admin/whois/" + enc(amy.userId())).assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void aLockedUserIsRefusedEverythingButLogoutUntilUnlocked() {
        var cat = server.register("ad_cat");
        var laptop = server.login("ad_cat", TestServer.DEFAULT_PASSWORD);
        assertFalse(admin.get(lock(cat.userId())).assertStatus(200).json().getBoolean("locked"));
        assertTrue(admin.put(lock(cat.userId()), json("locked", true)).assertStatus(200).json().getBoolean("locked"));
        assertTrue(admin.get(lock(cat.userId())).assertStatus(200).json().getBoolean("locked"));

        JsonObject refused = cat.get("/_matrix/client/v3/account/whoami").assertError(401, "M_USER_LOCKED").json();
        assertTrue(refused.getBoolean("soft_logout"));
        cat.get("/_matrix/client/v3/sync?timeout=0").assertError(401, "M_USER_LOCKED");
        cat.get("/_matrix/client/r0/devices").assertError(401, "M_USER_LOCKED");
        cat.post("/_matrix/client/v3/createRoom", json()).assertError(401, "M_USER_LOCKED");
        // Logging out stays possible; the other session is kept (not invalidated by the lock).
        laptop.post("/_matrix/client/v3/logout", json()).assertStatus(200);

        admin.put(lock(cat.userId()), json("locked", false)).assertStatus(200);
        cat.get("/_matrix/client/v3/account/whoami").assertStatus(200);
        laptop.get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void onlyAdminsLockAndSuspendOrdinaryLocalUsers() {
        var dot = server.register("ad_dot");
        var eve = server.register("ad_eve");
        for (String path : new String[] {lock(eve.userId()), suspend(eve.userId())}) {
            String field = path.contains("/lock/") ? "locked" : "suspended";
            dot.get(path).assertError(403, "M_FORBIDDEN");
            dot.put(path, json(field, true)).assertError(403, "M_FORBIDDEN");
            // Authorisation comes before the look-up: an unknown user gets 403 too for a non-admin.
            dot.get(path.replace(enc(eve.userId()), enc("@ghost:" + server.serverName()))).assertError(403, "M_FORBIDDEN");
            String self = path.replace(enc(eve.userId()), enc(admin.userId()));
            admin.get(self).assertStatus(200);
            admin.put(self, json(field, true)).assertError(403, "M_FORBIDDEN");
            String peer = path.replace(enc(eve.userId()), enc(otherAdmin.userId()));
            admin.get(peer).assertError(403, "M_FORBIDDEN");
            admin.put(peer, json(field, true)).assertError(403, "M_FORBIDDEN");
            admin.get(path.replace(enc(eve.userId()), enc("@x:elsewhere.example"))).assertError(400, "M_INVALID_PARAM");
            admin.get(path.replace(enc(eve.userId()), enc("@ghost:" + server.serverName()))).assertError(404, "M_NOT_FOUND");
            admin.put(path, json()).assertError(400, "M_MISSING_PARAM");
            admin.put(path, json(field, "yes")).assertError(400, "M_BAD_JSON");
            admin.post(path, json(field, true)).assertError(405, "M_UNRECOGNIZED");
            assertFalse(admin.get(path).assertStatus(200).json().getBoolean(field));
        }
        otherAdmin.get("/_matrix/client/v3/account/whoami").assertStatus(200);
        assertEquals(json("suspend", true, "lock", true), admin.get("/_matrix/client/v3/capabilities").assertStatus(200)
                .json().getJsonObject("capabilities").getJsonObject("m.account_moderation"));
        assertFalse(dot.get("/_matrix/client/v3/capabilities").assertStatus(200).json().getJsonObject("capabilities")
                .containsKey("m.account_moderation"));
        // A deactivated user is "not found".
        var gil = server.register("ad_gil");
        gil.post("/_matrix/client/v3/account/deactivate", json("auth", json("type", "m.login.password",
                "identifier", json("type", "m.id.user", "user", "ad_gil"), "password", TestServer.DEFAULT_PASSWORD)))
                .assertStatus(200);
        admin.get(suspend(gil.userId())).assertError(404, "M_NOT_FOUND");
        admin.put(lock(gil.userId()), json("locked", true)).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void aSuspendedUserReadsButCannotJoinSendOrChangeTheirProfile() {
        var fred = server.register("ad_fred");
        var host = server.register("ad_host");
        String room = host.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200).json().getString("room_id");
        fred.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        String own = fred.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/1",
                json("msgtype", "m.text", "body", "mine")).assertStatus(200).json().getString("event_id");
        String hosts = host.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/1",
                json("msgtype", "m.text", "body", "host")).assertStatus(200).json().getString("event_id");
        String other = host.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200).json().getString("room_id");

        assertTrue(admin.put(suspend(fred.userId()), json("suspended", true)).assertStatus(200).json().getBoolean("suspended"));
        assertTrue(admin.get(suspend(fred.userId())).json().getBoolean("suspended"));

        fred.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/2", json("msgtype", "m.text", "body", "x"))
                .assertError(403, "M_USER_SUSPENDED");
        fred.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.topic/", json("topic", "x")).assertError(403, "M_USER_SUSPENDED");
        fred.post("/_matrix/client/v3/rooms/" + enc(other) + "/join", json()).assertError(403, "M_USER_SUSPENDED");
        fred.post("/_matrix/client/r0/join/" + enc(other), json()).assertError(403, "M_USER_SUSPENDED");
        fred.post("/_matrix/client/v3/rooms/" + enc(room) + "/invite", json("user_id", admin.userId())).assertError(403, "M_USER_SUSPENDED");
        fred.post("/_matrix/client/v3/createRoom", json()).assertError(403, "M_USER_SUSPENDED");
        fred.put("/_matrix/client/v3/profile/" + enc(fred.userId()) + "/displayname", json("displayname", "F"))
                .assertError(403, "M_USER_SUSPENDED");
        fred.put("/_matrix/client/v3/rooms/" + enc(room) + "/redact/" + enc(hosts) + "/r1", json()).assertError(403, "M_USER_SUSPENDED");
        // Still allowed: reading, syncing, key backup, redacting their own events, leaving.
        fred.get("/_matrix/client/v3/account/whoami").assertStatus(200);
        fred.get("/_matrix/client/v3/sync?timeout=0").assertStatus(200);
        fred.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b").assertStatus(200);
        fred.post("/_matrix/client/v3/room_keys/version", json("algorithm", "m.megolm_backup.v1.curve25519-aes-sha2",
                "auth_data", json("public_key", "k"))).assertStatus(200);
        fred.put("/_matrix/client/v3/rooms/" + enc(room) + "/redact/" + enc(own) + "/r2", json()).assertStatus(200);
        fred.post("/_matrix/client/v3/rooms/" + enc(room) + "/leave", json()).assertStatus(200);
        assertEquals(0, host.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=50").json()
                .getJsonArray("chunk").stream().filter(e -> e.asJsonObject().getJsonObject("content").getString("body", "").equals("x")).count());

        admin.put(suspend(fred.userId()), json("suspended", false)).assertStatus(200);
        fred.post("/_matrix/client/v3/rooms/" + enc(other) + "/join", json()).assertStatus(200);
        fred.put("/_matrix/client/v3/rooms/" + enc(other) + "/send/m.room.message/3", json("msgtype", "m.text", "body", "back"))
                .assertStatus(200);
    }
}
