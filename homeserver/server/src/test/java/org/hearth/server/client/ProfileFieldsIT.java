package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonValue;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Spec v1.16 "Profiles": custom fields through GET/PUT/DELETE /profile/{userId}/{keyName}. */
class ProfileFieldsIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String path(TestServer.User u, String key) {
        return "/_matrix/client/v3/profile/" + u.userId() + "/" + key;
    }

    @Test
    void customFieldsAreSetReadListedAndDeleted() {
        var amy = server.register("amy");
        amy.put(path(amy, "m.tz"), json("m.tz", "Europe/London")).assertStatus(200);
        var list = Json.arrayBuilder().add("Rust").add(7).build();
        amy.put(path(amy, "org.example.skills"), json("org.example.skills", list)).assertStatus(200);
        assertEquals("Europe/London", server.client("GET", path(amy, "m.tz")).assertStatus(200).json().getString("m.tz"));
        assertEquals(list, amy.get(path(amy, "org.example.skills")).assertStatus(200).json().get("org.example.skills"));

        var whole = server.client("GET", "/_matrix/client/v3/profile/" + amy.userId()).assertStatus(200).json();
        assertEquals("amy", whole.getString("displayname"));
        assertEquals("Europe/London", whole.getString("m.tz"));
        assertEquals(list, whole.get("org.example.skills"));

        amy.delete(path(amy, "m.tz")).assertStatus(200);
        server.client("GET", path(amy, "m.tz")).assertError(404, "M_NOT_FOUND");
        assertFalse(amy.get("/_matrix/client/v3/profile/" + amy.userId()).json().containsKey("m.tz"));
        // Deleting what is not there succeeds (spec: "deleted or it doesn't exist").
        amy.delete(path(amy, "m.tz")).assertStatus(200);
    }

    @Test
    void nullIsStoredForCustomFields() {
        var ben = server.register("ben");
        ben.put(path(ben, "org.example.nothing"), json("org.example.nothing", null)).assertStatus(200);
        var whole = ben.get("/_matrix/client/v3/profile/" + ben.userId()).json();
        assertTrue(whole.containsKey("org.example.nothing"));
        assertEquals(JsonValue.NULL, whole.get("org.example.nothing"));
    }

    @Test
    void displaynameThroughTheGenericEndpointReachesMemberEvents() {
        var cat = server.register("cat");
        String room = cat.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        cat.put(path(cat, "displayname"), json("displayname", "Catherine")).assertStatus(200);
        cat.put(path(cat, "avatar_url"), json("avatar_url", "mxc://example.org/cat")).assertStatus(200);
        var member = cat.get("/_matrix/client/v3/rooms/" + room + "/state/m.room.member/" + cat.userId()).assertStatus(200).json();
        assertEquals("Catherine", member.getString("displayname"));
        assertEquals("mxc://example.org/cat", member.getString("avatar_url"));

        cat.delete(path(cat, "displayname")).assertStatus(200);
        server.client("GET", path(cat, "displayname")).assertError(404, "M_NOT_FOUND");
        member = cat.get("/_matrix/client/v3/rooms/" + room + "/state/m.room.member/" + cat.userId()).assertStatus(200).json();
        assertFalse(member.containsKey("displayname"));
        assertEquals("mxc://example.org/cat", member.getString("avatar_url"));
    }

    @Test
    void badKeysBodiesAndValues() {
        var dan = server.register("dan");
        dan.put(path(dan, "nodots"), json("nodots", "x")).assertError(400, "M_INVALID_PARAM");
        dan.put(path(dan, "Org.Example"), json("Org.Example", "x")).assertError(400, "M_INVALID_PARAM");
        dan.delete(path(dan, "nodots")).assertError(400, "M_INVALID_PARAM");
        String longKey = "org." + "k".repeat(252);
        dan.put(path(dan, longKey), json(longKey, "x")).assertError(400, "M_KEY_TOO_LARGE");
        dan.put(path(dan, "m.tz"), json("other", "x")).assertError(400, "M_MISSING_PARAM");
        dan.put(path(dan, "m.tz"), json("m.tz", 5)).assertError(400, "M_BAD_JSON");
        dan.put(path(dan, "avatar_url"), json("avatar_url", "https://example.org/a.png")).assertError(400, "M_INVALID_PARAM");
        server.client("PUT", path(dan, "m.tz"), java.net.http.HttpRequest.BodyPublishers.ofString("{\"m.tz\":\"UTC\"}"))
                .assertError(401, "M_MISSING_TOKEN");
        server.client("DELETE", path(dan, "m.tz"), java.net.http.HttpRequest.BodyPublishers.noBody())
                .assertError(401, "M_MISSING_TOKEN");
        assertFalse(dan.get("/_matrix/client/v3/profile/" + dan.userId()).json().containsKey("m.tz"));
    }

    @Test
    void othersProfilesCannotBeChanged() {
        var eve = server.register("eve");
        var fay = server.register("fay");
        fay.put(path(fay, "m.tz"), json("m.tz", "UTC")).assertStatus(200);
        eve.put(path(fay, "m.tz"), json("m.tz", "Asia/Tokyo")).assertError(403, "M_FORBIDDEN");
        eve.delete(path(fay, "m.tz")).assertError(403, "M_FORBIDDEN");
        assertEquals("UTC", eve.get(path(fay, "m.tz")).json().getString("m.tz"));
    }

    @Test
    void theWholeProfileStaysUnder64KiB() {
        var gus = server.register("gus");
        String big = "x".repeat(40_000);
        gus.put(path(gus, "org.example.a"), json("org.example.a", big)).assertStatus(200);
        gus.put(path(gus, "org.example.b"), json("org.example.b", big)).assertError(400, "M_PROFILE_TOO_LARGE");
        server.client("GET", path(gus, "org.example.b")).assertError(404, "M_NOT_FOUND");
        // Replacing a field counts its new value, not the old one beside it.
        gus.put(path(gus, "org.example.a"), json("org.example.a", big + "y")).assertStatus(200);
    }

    @Test
    void capabilityIsAdvertised() {
        var hal = server.register("hal");
        var caps = hal.get("/_matrix/client/v3/capabilities").assertStatus(200).json().getJsonObject("capabilities");
        assertTrue(caps.getJsonObject("m.profile_fields").getBoolean("enabled"));
        assertTrue(caps.getJsonObject("m.set_displayname").getBoolean("enabled"));
    }

    @Test
    void erasureRemovesCustomFields() {
        var ivy = server.register("ivy");
        ivy.put(path(ivy, "m.tz"), json("m.tz", "UTC")).assertStatus(200);
        var first = ivy.post("/_matrix/client/v3/account/deactivate", json("erase", true)).assertStatus(401).json();
        ivy.post("/_matrix/client/v3/account/deactivate", json("erase", true, "auth", json("type", "m.login.password",
                "session", first.getString("session"), "identifier", json("type", "m.id.user", "user", ivy.userId()),
                "password", TestServer.DEFAULT_PASSWORD))).assertStatus(200);
        server.client("GET", path(ivy, "m.tz")).assertError(404, "M_NOT_FOUND");
    }
}
