package org.hearth.server.admin;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventReportRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    static final String BASE = "/_synapse/admin/v1/event_reports";

    static TestServer.User admin;
    static TestServer.User alice;
    static TestServer.User bob;
    static String room;
    static final List<String> events = new ArrayList<>();

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @BeforeAll
    static void fiveReports() {
        admin = server.registerWithSharedSecret("er_admin", "pw", true);
        alice = server.register("er_alice");
        bob = server.register("er_bob");
        room = alice.post("/_matrix/client/v3/createRoom", json("preset", "public_chat", "name", "Reported room",
                "room_alias_name", "reported")).assertStatus(200).json().getString("room_id");
        bob.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        for (int i = 0; i < 5; i++) {
            var sender = i < 3 ? alice : bob;
            var reporter = i < 3 ? bob : alice;
            String event = sender.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/t" + i,
                    json("msgtype", "m.text", "body", "message " + i)).assertStatus(200).json().getString("event_id");
            events.add(event);
            reporter.post("/_matrix/client/v3/rooms/" + enc(room) + "/report/" + enc(event), json("reason", "r" + i))
                    .assertStatus(200);
        }
    }

    @Test
    void listsNewestFirstWithPagesAndFilters() {
        JsonObject page1 = admin.get(BASE + "?limit=2").assertStatus(200).json();
        assertEquals(5, page1.getInt("total"));
        assertEquals(2, page1.getInt("next_token"));
        var reports = page1.getJsonArray("event_reports");
        assertEquals(2, reports.size());
        JsonObject newest = reports.getJsonObject(0);
        assertEquals(events.get(4), newest.getString("event_id"));
        assertEquals("r4", newest.getString("reason"));
        assertEquals(alice.userId(), newest.getString("user_id"));
        assertEquals(bob.userId(), newest.getString("sender"));
        assertEquals(room, newest.getString("room_id"));
        assertEquals("Reported room", newest.getString("name"));
        assertEquals("#reported:" + server.serverName(), newest.getString("canonical_alias"));
        assertEquals(JsonValue.NULL, newest.get("score"));

        JsonObject last = admin.get(BASE + "?limit=2&from=4").assertStatus(200).json();
        assertEquals(1, last.getJsonArray("event_reports").size());
        assertFalse(last.containsKey("next_token"));
        assertEquals(events.get(0), last.getJsonArray("event_reports").getJsonObject(0).getString("event_id"));

        JsonObject oldest = admin.get(BASE + "?dir=f&limit=1").assertStatus(200).json();
        assertEquals(events.get(0), oldest.getJsonArray("event_reports").getJsonObject(0).getString("event_id"));

        assertEquals(3, admin.get(BASE + "?user_id=" + enc(bob.localpart())).json().getInt("total"));
        assertEquals(2, admin.get(BASE + "?sender_user_id=" + enc(bob.userId())).json().getInt("total"));
        assertEquals(0, admin.get(BASE + "?sender_user_id=" + enc(bob.localpart())).json().getInt("total"));
        assertEquals(5, admin.get(BASE + "?room_id=" + enc(room.substring(1, 6))).json().getInt("total"));
        assertEquals(0, admin.get(BASE + "?room_id=%25").json().getInt("total"));
    }

    @Test
    void detailsCarryTheEventAndDeletingRemovesOne() {
        long id = admin.get(BASE + "?dir=f&limit=1").json().getJsonArray("event_reports").getJsonObject(0).getJsonNumber("id").longValue();
        JsonObject details = admin.get(BASE + "/" + id).assertStatus(200).json();
        assertEquals(events.get(0), details.getString("event_id"));
        assertEquals("message 0", details.getJsonObject("event_json").getJsonObject("content").getString("body"));

        var extra = alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/extra",
                json("msgtype", "m.text", "body", "extra")).json().getString("event_id");
        bob.post("/_matrix/client/v3/rooms/" + enc(room) + "/report/" + enc(extra), json("reason", "delete me")).assertStatus(200);
        JsonObject newest = admin.get(BASE + "?limit=1").json().getJsonArray("event_reports").getJsonObject(0);
        long extraId = newest.getJsonNumber("id").longValue();
        assertEquals(extra, newest.getString("event_id"));
        admin.delete(BASE + "/" + extraId).assertStatus(200);
        admin.get(BASE + "/" + extraId).assertError(404, "M_NOT_FOUND");
        admin.delete(BASE + "/" + extraId).assertError(404, "M_NOT_FOUND");
        assertEquals(5, admin.get(BASE).json().getInt("total"));
    }

    @Test
    void adminsOnlyAndBadParametersAreRefused() {
        alice.get(BASE).assertError(403, "M_FORBIDDEN");
        alice.get(BASE + "/1").assertError(403, "M_FORBIDDEN");
        alice.delete(BASE + "/1").assertError(403, "M_FORBIDDEN");
        server.client("GET", BASE).assertError(401, "M_MISSING_TOKEN");
        admin.get(BASE + "?limit=-1").assertError(400, "M_INVALID_PARAM");
        admin.get(BASE + "?from=x").assertError(400, "M_INVALID_PARAM");
        admin.get(BASE + "?dir=up").assertError(400, "M_INVALID_PARAM");
        admin.get(BASE + "/abc").assertError(400, "M_INVALID_PARAM");
        admin.get(BASE + "/0").assertError(400, "M_INVALID_PARAM");
        admin.get(BASE + "/999999").assertError(404, "M_NOT_FOUND");
        admin.post(BASE, json()).assertError(405, "M_UNRECOGNIZED");
    }
}
