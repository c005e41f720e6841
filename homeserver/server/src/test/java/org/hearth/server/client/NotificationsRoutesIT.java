package org.hearth.server.client;

import static org.hearth.server.client.PushFixtures.V3;
import static org.hearth.server.client.PushFixtures.mention;
import static org.hearth.server.client.PushFixtures.message;
import static org.hearth.server.client.PushFixtures.newUser;
import static org.hearth.server.client.PushFixtures.receipt;
import static org.hearth.server.client.PushFixtures.room;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** GET /notifications (spec: notifications.yaml). */
class NotificationsRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    @Test
    void listsNotificationsNewestFirstWithActionsAndReadFlags() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        String first = message(bob, room, "one");
        String second = mention(bob, room, alice);
        message(alice, room, "own messages never notify");
        receipt(alice, room, "m.read", first, null);

        JsonObject page = alice.get(V3 + "/notifications").assertStatus(200).json();
        assertFalse(page.containsKey("next_token"), page.toString());
        JsonArray list = page.getJsonArray("notifications");
        assertEquals(2, list.size(), page.toString());
        JsonObject newest = list.getJsonObject(0);
        assertEquals(second, newest.getJsonObject("event").getString("event_id"));
        assertFalse(newest.getJsonObject("event").containsKey("room_id"), "ClientEventWithoutRoomID");
        assertEquals(room, newest.getString("room_id"));
        assertFalse(newest.getBoolean("read"));
        assertTrue(newest.getJsonNumber("ts").longValue() > 0);
        assertTrue(newest.getJsonArray("actions").toString().contains("highlight"), newest.toString());
        JsonObject older = list.getJsonObject(1);
        assertEquals(first, older.getJsonObject("event").getString("event_id"));
        assertTrue(older.getBoolean("read"));
        assertEquals("[\"notify\",{\"set_tweak\":\"sound\",\"value\":\"default\"}]", older.getJsonArray("actions").toString());

        JsonArray highlights = alice.get(V3 + "/notifications?only=highlight").assertStatus(200).json()
                .getJsonArray("notifications");
        assertEquals(1, highlights.size());
        assertEquals(second, highlights.getJsonObject(0).getJsonObject("event").getString("event_id"));
        // Bob's: alice's message and his invite, never his own messages.
        JsonArray bobs = bob.get(V3 + "/notifications").assertStatus(200).json().getJsonArray("notifications");
        assertEquals(2, bobs.size(), bobs.toString());
        bobs.forEach(n -> assertEquals(alice.userId(), n.asJsonObject().getJsonObject("event").getString("sender")));
        assertEquals("m.room.member", bobs.getJsonObject(1).getJsonObject("event").getString("type"));
    }

    @Test
    void paginatesWithNextToken() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(message(bob, room, "m" + i));
        }
        List<String> seen = new ArrayList<>();
        String from = null;
        for (int pages = 0; pages < 10; pages++) {
            JsonObject page = alice.get(V3 + "/notifications?limit=2" + (from == null ? "" : "&from=" + from))
                    .assertStatus(200).json();
            page.getJsonArray("notifications").forEach(n -> seen.add(n.asJsonObject().getJsonObject("event")
                    .getString("event_id")));
            if (!page.containsKey("next_token")) {
                break;
            }
            from = page.getString("next_token");
        }
        assertEquals(sent.reversed(), seen);
    }

    @Test
    void badParametersAre400() {
        var alice = newUser(server, "alice");
        alice.get(V3 + "/notifications?limit=abc").assertError(400, "M_INVALID_PARAM");
        alice.get(V3 + "/notifications?limit=0").assertError(400, "M_INVALID_PARAM");
        alice.get(V3 + "/notifications?from=garbage").assertError(400, "M_INVALID_PARAM");
        server.client("GET", V3 + "/notifications").assertError(401, "M_MISSING_TOKEN");
        alice.post(V3 + "/notifications", TestServer.json()).assertError(405, "M_UNRECOGNIZED");
    }
}
