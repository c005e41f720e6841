package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReportRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static String createRoom(TestServer.User user, String preset) {
        return user.post("/_matrix/client/v3/createRoom", json("preset", preset)).assertStatus(200).json().getString("room_id");
    }

    static String say(TestServer.User user, String room, String text) {
        return user.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/" + System.nanoTime(),
                json("msgtype", "m.text", "body", text)).assertStatus(200).json().getString("event_id");
    }

    static String eventReportPath(String room, String event) {
        return "/_matrix/client/v3/rooms/" + enc(room) + "/report/" + enc(event);
    }

    /** Rows of a report table, as "column|column|..." strings in id order. */
    static List<String> rows(String sql) {
        List<String> out = new ArrayList<>();
        try (var c = server.server().database().dataSource().getConnection();
             var rs = c.createStatement().executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                var row = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    row.append(i > 1 ? "|" : "").append(rs.getString(i));
                }
                out.add(row.toString());
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    @Test
    void joinedMembersReportVisibleEvents() {
        var alice = server.register("rp_alice");
        var bob = server.register("rp_bob");
        String room = createRoom(alice, "public_chat");
        bob.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        String event = say(alice, room, "offensive");
        bob.post(eventReportPath(room, event), json("reason", "rude", "score", -100)).assertStatus(200);
        // reason and score are optional; r0 is served too.
        bob.post("/_matrix/client/r0/rooms/" + enc(room) + "/report/" + enc(event), json()).assertStatus(200);
        assertEquals(List.of(room + "|" + event + "|" + alice.userId() + "|" + bob.userId() + "|rude|-100",
                        room + "|" + event + "|" + alice.userId() + "|" + bob.userId() + "|null|null"),
                rows("SELECT room_id, event_id, sender, user_id, reason, score FROM event_reports WHERE user_id = '" + bob.userId() + "' ORDER BY id"));
    }

    @Test
    void eventReportsNeedAJoinedReporterAndAVisibleEvent() {
        var carol = server.register("rp_carol");
        var dave = server.register("rp_dave");
        String room = createRoom(carol, "public_chat");
        String event = say(carol, room, "hello");
        // Not joined: 404, whether or not the room is public.
        dave.post(eventReportPath(room, event), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        // Unknown event, event of another room, unknown room, malformed room ID: the same 404.
        dave.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        dave.post(eventReportPath(room, "$nosuch"), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        String other = createRoom(dave, "private_chat");
        String otherEvent = say(dave, other, "elsewhere");
        dave.post(eventReportPath(room, otherEvent), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        dave.post(eventReportPath("!nosuch:" + server.serverName(), event), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        dave.post(eventReportPath("notaroom", event), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        // Left the room: no longer allowed (spec v1.8), though the event stays visible in history.
        dave.post("/_matrix/client/v3/rooms/" + enc(room) + "/leave", json()).assertStatus(200);
        dave.post(eventReportPath(room, event), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        // Joined later to a room whose history is "joined": events from before the join are not visible.
        var erin = server.register("rp_erin");
        String hidden = createRoom(erin, "public_chat");
        erin.put("/_matrix/client/v3/rooms/" + enc(hidden) + "/state/m.room.history_visibility/",
                json("history_visibility", "joined")).assertStatus(200);
        String before = say(erin, hidden, "before dave");
        dave.post("/_matrix/client/v3/rooms/" + enc(hidden) + "/join", json()).assertStatus(200);
        dave.post(eventReportPath(hidden, before), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        dave.post(eventReportPath(hidden, say(erin, hidden, "after dave")), json("reason", "x")).assertStatus(200);
        // A redacted event is not reportable.
        String gone = say(erin, hidden, "regret");
        erin.put("/_matrix/client/v3/rooms/" + enc(hidden) + "/redact/" + enc(gone) + "/r1", json()).assertStatus(200);
        dave.post(eventReportPath(hidden, gone), json("reason", "x")).assertError(404, "M_NOT_FOUND");
        assertEquals(List.of("1"), rows("SELECT COUNT(*) FROM event_reports WHERE user_id = '" + dave.userId() + "'"));
    }

    @Test
    void badEventReportBodiesAreRefused() {
        var fay = server.register("rp_fay");
        String room = createRoom(fay, "private_chat");
        String event = say(fay, room, "mine");
        fay.post(eventReportPath(room, event), json("reason", 5)).assertError(400, "M_BAD_JSON");
        fay.post(eventReportPath(room, event), json("score", "high")).assertError(400, "M_BAD_JSON");
        fay.post(eventReportPath(room, event), json("score", jakarta.json.Json.createValue(1.5))).assertError(400, "M_BAD_JSON");
        fay.post(eventReportPath(room, event), json("reason", "x".repeat(1001))).assertError(400, "M_BAD_JSON");
        fay.send("POST", eventReportPath(room, event), null).assertError(400, "M_NOT_JSON");
        fay.get(eventReportPath(room, event)).assertError(405, "M_UNRECOGNIZED");
        server.client("POST", eventReportPath(room, event)).assertError(401, "M_MISSING_TOKEN");
        assertEquals(List.of("0"), rows("SELECT COUNT(*) FROM event_reports WHERE user_id = '" + fay.userId() + "'"));
    }

    @Test
    void anyoneMayReportAKnownRoom() {
        var gus = server.register("rp_gus");
        var hal = server.register("rp_hal");
        String room = createRoom(gus, "private_chat");
        String path = "/_matrix/client/v3/rooms/" + enc(room) + "/report";
        hal.post(path, json("reason", "spam room")).assertStatus(200);
        hal.post(path, json("reason", "")).assertStatus(200);
        hal.post(path, json()).assertError(400, "M_MISSING_PARAM");
        hal.post(path, json("reason", 1)).assertError(400, "M_BAD_JSON");
        hal.post("/_matrix/client/v3/rooms/" + enc("!nosuch:" + server.serverName()) + "/report", json("reason", "x"))
                .assertError(404, "M_NOT_FOUND");
        hal.post("/_matrix/client/v3/rooms/bogus/report", json("reason", "x")).assertError(404, "M_NOT_FOUND");
        // Added in v1.13: no r0 form.
        hal.post("/_matrix/client/r0/rooms/" + enc(room) + "/report", json("reason", "x")).assertError(404, "M_UNRECOGNIZED");
        assertEquals(List.of(room + "|spam room", room + "|"),
                rows("SELECT room_id, reason FROM room_reports WHERE user_id = '" + hal.userId() + "' ORDER BY id"));
    }

    @Test
    void userReportsAreStoredForLocalUsersOnly() {
        var ivy = server.register("rp_ivy");
        var jay = server.register("rp_jay");
        ivy.post("/_matrix/client/v3/users/" + enc(jay.userId()) + "/report", json("reason", "harassment")).assertStatus(200);
        // Unknown and remote users are answered alike, and not stored (the spec lets servers hide who exists).
        ivy.post("/_matrix/client/v3/users/" + enc("@ghost:" + server.serverName()) + "/report", json("reason", "x")).assertStatus(200);
        ivy.post("/_matrix/client/v3/users/" + enc("@someone:elsewhere.example") + "/report", json("reason", "x")).assertStatus(200);
        ivy.post("/_matrix/client/v3/users/notauser/report", json("reason", "x")).assertError(400, "M_INVALID_PARAM");
        ivy.post("/_matrix/client/v3/users/" + enc(jay.userId()) + "/report", json()).assertError(400, "M_MISSING_PARAM");
        ivy.post("/_matrix/client/v3/users/" + enc(jay.userId()) + "/report", json("reason", "x".repeat(1001)))
                .assertError(400, "M_BAD_JSON");
        assertEquals(List.of(jay.userId() + "|harassment"),
                rows("SELECT target_user_id, reason FROM user_reports WHERE user_id = '" + ivy.userId() + "'"));
    }
}
