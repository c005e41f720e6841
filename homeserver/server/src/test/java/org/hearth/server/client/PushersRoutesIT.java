package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.hearth.server.client.PushFixtures.V3;
import static org.hearth.server.client.PushFixtures.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /pushers and POST /pushers/set (spec: pusher.yaml). */
class PushersRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final String URL = "https://push.example.org/_matrix/push/v1/notify";

    static JsonObject pusher(String appId, String pushkey, String url) {
        return json("kind", "http", "app_id", appId, "pushkey", pushkey, "app_display_name", "App",
                "device_display_name", "Phone", "lang", "en", "profile_tag", "tag1",
                "data", json("url", url, "format", "event_id_only", "custom", "x"));
    }

    private static JsonArray list(TestServer.User user) {
        return user.get(V3 + "/pushers").assertStatus(200).json().getJsonArray("pushers");
    }

    @Test
    void setListUpdateAndDelete() {
        var alice = newUser(server, "alice");
        assertTrue(list(alice).isEmpty());
        alice.post(V3 + "/pushers/set", pusher("com.example.app", "key1", URL)).assertStatus(200);
        JsonArray pushers = list(alice);
        assertEquals(1, pushers.size());
        JsonObject p = pushers.getJsonObject(0);
        assertEquals("key1", p.getString("pushkey"));
        assertEquals("http", p.getString("kind"));
        assertEquals("com.example.app", p.getString("app_id"));
        assertEquals("App", p.getString("app_display_name"));
        assertEquals("Phone", p.getString("device_display_name"));
        assertEquals("en", p.getString("lang"));
        assertEquals("tag1", p.getString("profile_tag"));
        assertEquals(URL, p.getJsonObject("data").getString("url"));
        assertEquals("event_id_only", p.getJsonObject("data").getString("format"));

        // Same app_id and pushkey: updated, not added.
        JsonObject changed = json("kind", "http", "app_id", "com.example.app", "pushkey", "key1",
                "app_display_name", "App 2", "device_display_name", "Phone", "lang", "de", "data", json("url", URL));
        alice.post(V3 + "/pushers/set", changed).assertStatus(200);
        pushers = list(alice);
        assertEquals(1, pushers.size());
        assertEquals("App 2", pushers.getJsonObject(0).getString("app_display_name"));
        assertEquals("de", pushers.getJsonObject(0).getString("lang"));
        assertFalse(pushers.getJsonObject(0).containsKey("profile_tag"));

        alice.post(V3 + "/pushers/set", pusher("com.example.app", "key2", URL)).assertStatus(200);
        assertEquals(2, list(alice).size());
        alice.post(V3 + "/pushers/set", json("kind", null, "app_id", "com.example.app", "pushkey", "key1"))
                .assertStatus(200);
        pushers = list(alice);
        assertEquals(1, pushers.size());
        assertEquals("key2", pushers.getJsonObject(0).getString("pushkey"));
        // Deleting one that does not exist is fine.
        alice.post(V3 + "/pushers/set", json("kind", null, "app_id", "com.example.app", "pushkey", "nope"))
                .assertStatus(200);
        // r0 serves the same.
        assertEquals(1, alice.get("/_matrix/client/r0/pushers").assertStatus(200).json().getJsonArray("pushers").size());
    }

    @Test
    void withoutAppendTheSamePushkeyLeavesOtherUsers() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        alice.post(V3 + "/pushers/set", pusher("com.example.shared", "phone", URL)).assertStatus(200);
        JsonObject appended = json("kind", "http", "app_id", "com.example.shared", "pushkey", "phone",
                "app_display_name", "App", "device_display_name", "Phone", "lang", "en", "data", json("url", URL),
                "append", true);
        bob.post(V3 + "/pushers/set", appended).assertStatus(200);
        assertEquals(1, list(alice).size());
        assertEquals(1, list(bob).size());
        bob.post(V3 + "/pushers/set", pusher("com.example.shared", "phone", URL)).assertStatus(200);
        assertEquals(0, list(alice).size());
        assertEquals(1, list(bob).size());
    }

    @Test
    void loggingOutTheDeviceDeletesItsPushers() {
        var alice = newUser(server, "alice");
        var phone = server.login(alice.localpart(), TestServer.DEFAULT_PASSWORD);
        phone.post(V3 + "/pushers/set", pusher("com.example.app", "phone-key", URL)).assertStatus(200);
        alice.post(V3 + "/pushers/set", pusher("com.example.app", "laptop-key", URL)).assertStatus(200);
        assertEquals(2, list(alice).size());
        phone.post(V3 + "/logout", json()).assertStatus(200);
        JsonArray left = list(alice);
        assertEquals(1, left.size());
        assertEquals("laptop-key", left.getJsonObject(0).getString("pushkey"));
    }

    @Test
    void badInputIsRefusedAndChangesNothing() {
        var alice = newUser(server, "alice");
        String set = V3 + "/pushers/set";
        alice.post(set, pusher("com.example.app", "k", "https://push.example.org/notify")).assertError(400, "M_INVALID_PARAM");
        alice.post(set, pusher("com.example.app", "k", "ftp://push.example.org/_matrix/push/v1/notify"))
                .assertError(400, "M_INVALID_PARAM");
        alice.post(set, json("kind", "http", "app_id", "a", "pushkey", "k", "app_display_name", "A",
                "device_display_name", "D", "lang", "en", "data", json("format", "event_id_only")))
                .assertError(400, "M_MISSING_PARAM");
        alice.post(set, json("kind", "http", "app_id", "a", "pushkey", "k", "app_display_name", "A",
                "device_display_name", "D", "lang", "en", "data", json("url", 5)))
                .assertError(400, "M_INVALID_PARAM");
        alice.post(set, json("kind", "http", "app_id", "a", "pushkey", "k")).assertError(400, "M_MISSING_PARAM");
        alice.post(set, json("app_id", "a", "pushkey", "k")).assertError(400, "M_MISSING_PARAM");
        alice.post(set, json("kind", "http", "pushkey", "k")).assertError(400, "M_MISSING_PARAM");
        alice.post(set, json("kind", "http", "app_id", 5, "pushkey", "k")).assertError(400, "M_BAD_JSON");
        alice.post(set, json("kind", "carrier-pigeon", "app_id", "a", "pushkey", "k", "app_display_name", "A",
                "device_display_name", "D", "lang", "en", "data", json())).assertError(400, "M_INVALID_PARAM");
        alice.post(set, json("kind", "email", "app_id", "m.email", "pushkey", "a@example.org", "app_display_name", "A",
                "device_display_name", "D", "lang", "en", "data", json())).assertError(400, "M_THREEPID_NOT_FOUND");
        alice.post(set, pusher("a".repeat(65), "k", URL)).assertError(400, "M_INVALID_PARAM");
        alice.post(set, pusher("a", "k".repeat(513), URL)).assertError(400, "M_INVALID_PARAM");
        JsonObject badAppend = json("kind", "http", "app_id", "a", "pushkey", "k", "app_display_name", "A",
                "device_display_name", "D", "lang", "en", "data", json("url", URL), "append", "yes");
        alice.post(set, badAppend).assertError(400, "M_BAD_JSON");
        alice.send("POST", set, null).assertError(400, "M_NOT_JSON");
        assertTrue(list(alice).isEmpty());
        server.client("GET", V3 + "/pushers").assertError(401, "M_MISSING_TOKEN");
        alice.put(V3 + "/pushers/set", json()).assertError(405, "M_UNRECOGNIZED");
    }
}
