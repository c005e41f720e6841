package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.TestServer;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Spec: Server-Server API, "Backfilling and retrieving missing events". B's user joins A's room after A's users
 * talked; paging back at B asks A for the history before the join, which comes out in order before the join, with
 * no gap or duplicate across pages, and never as new events in B's /sync.
 */
class FederatedBackfillIT {
    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    static final int HISTORY = 30;

    @Test
    void historyBeforeARemoteJoinIsBackfilledInOrderAndNotSyncedAsNew() {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "name", "backfill")).assertStatus(200).json().getString("room_id");
        for (int i = 0; i < HISTORY; i++) {
            alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/e" + i,
                    TestServer.json("msgtype", "m.text", "body", "early " + i)).assertStatus(200);
        }
        bob.post("/_matrix/client/v3/join/" + enc(roomId) + "?server_name=" + enc(a.serverName()),
                JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        JsonObject first = bob.get("/_matrix/client/v3/sync").assertStatus(200).json();
        JsonObject timeline = first.getJsonObject("rooms").getJsonObject("join").getJsonObject(roomId)
                .getJsonObject("timeline");
        assertFalse(timeline.toString().contains("early "), timeline.toString());
        String prevBatch = timeline.getString("prev_batch");

        // Pages of 7 from the sync's prev_batch back to the room's start.
        List<JsonObject> newestFirst = new ArrayList<>();
        String from = prevBatch;
        for (int page = 0; page < 20 && from != null; page++) {
            JsonObject answer = bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=7&from="
                    + enc(from)).assertStatus(200).json();
            newestFirst.addAll(answer.getJsonArray("chunk").getValuesAs(JsonObject.class));
            from = answer.containsKey("end") ? answer.getString("end") : null;
        }
        List<JsonObject> chronological = newestFirst.reversed();
        Set<String> ids = new HashSet<>();
        chronological.forEach(e -> assertTrue(ids.add(e.getString("event_id")), "duplicate " + e));
        List<String> bodies = bodies(chronological);
        assertEquals(IntStream.range(0, HISTORY).mapToObj(i -> "early " + i).toList(), bodies);
        assertEquals("m.room.create", chronological.getFirst().getString("type"), chronological.toString());
        // Everything backfilled comes before bob's join, which /sync gave.
        List<JsonObject> whole = bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=100")
                .assertStatus(200).json().getJsonArray("chunk").getValuesAs(JsonObject.class).reversed();
        int join = indexOf(whole, bob.userId());
        assertEquals(HISTORY, bodies(whole.subList(0, join)).size(), whole.toString());
        assertEquals(chronological.size() + 1, whole.size(), "the page from prev_batch lacks only the join");

        // Forward from the start gives the same events in the same order.
        List<JsonObject> forward = bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=f&limit=100")
                .assertStatus(200).json().getJsonArray("chunk").getValuesAs(JsonObject.class);
        assertEquals(whole.stream().map(e -> e.getString("event_id")).toList(),
                forward.stream().map(e -> e.getString("event_id")).toList());

        // Not new to /sync: the next sync has none of it, and nothing to notify about.
        JsonObject next = bob.get("/_matrix/client/v3/sync?timeout=0&since=" + enc(first.getString("next_batch")))
                .assertStatus(200).json();
        assertFalse(next.toString().contains("early "), next.toString());
        JsonObject again = bob.get("/_matrix/client/v3/sync").assertStatus(200).json().getJsonObject("rooms")
                .getJsonObject("join").getJsonObject(roomId);
        assertFalse(again.getJsonObject("timeline").toString().contains("early "), again.toString());
        JsonObject unread = again.getJsonObject("unread_notifications");
        assertTrue(unread == null || unread.getInt("notification_count", 0) == 0, again.toString());

        // New messages still arrive live after the backfill, above it.
        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/late",
                TestServer.json("msgtype", "m.text", "body", "late")).assertStatus(200);
        String lateSince = first.getString("next_batch");
        JsonObject late = eventually(() -> {
            JsonObject s = bob.get("/_matrix/client/v3/sync?timeout=1000&since=" + enc(lateSince)).assertStatus(200).json();
            return s.toString().contains("\"late\"") ? s : null;
        });
        assertFalse(late.toString().contains("early "), late.toString());
    }

    @Test
    void aBackfilledEventFailingAuthIsStoredRejectedAndNotShown() {
        var alice = a.register("ralice");
        var bob = b.register("rbob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/r0",
                TestServer.json("msgtype", "m.text", "body", "real")).assertStatus(200);
        bob.post("/_matrix/client/v3/join/" + enc(roomId) + "?server_name=" + enc(a.serverName()),
                JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        RoomId room = RoomId.parse(roomId);
        var reader = b.server().rooms().reader();
        String real = eventually(() -> {
            String body = bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=100")
                    .assertStatus(200).body();
            return body.contains("\"real\"") ? body : null;
        });
        // An event by a user who never joined, on top of A's message: the auth rules refuse it.
        StoredEvent message = reader.timeline(room, Long.MIN_VALUE, Long.MAX_VALUE, 100, true).stream()
                .filter(e -> e.pdu().content().getString("body", "").equals("real")).findFirst().orElseThrow();
        JsonObject forged = Json.objectBuilder(message.pdu().json())
                .add("sender", "@mallory:" + a.serverName())
                .add("content", Json.objectBuilder().add("msgtype", "m.text").add("body", "forged"))
                .add("prev_events", Json.arrayBuilder().add(message.eventId()))
                .add("depth", message.pdu().depth() + 1).build();
        Pdu pdu = new Pdu("$forged" + System.nanoTime(), forged);
        var engine = b.server().rooms().engine();
        StoredEvent stored = engine.placeHistory(room, pdu, null, engine.reserveHistory(1));
        assertTrue(stored.rejected(), stored.toString());
        assertFalse(stored.inTimeline());
        String history = bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=100")
                .assertStatus(200).body();
        assertFalse(history.contains("forged"), history);
        assertTrue(real.contains("\"real\""));
    }

    private static List<String> bodies(List<JsonObject> events) {
        return events.stream().filter(e -> e.getString("type").equals("m.room.message"))
                .map(e -> e.getJsonObject("content").getString("body")).toList();
    }

    private static int indexOf(List<JsonObject> events, String member) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getString("type").equals("m.room.member") && member.equals(events.get(i).getString("state_key"))) {
                return i;
            }
        }
        throw new AssertionError(member + "'s join not in " + events);
    }

    private static <T> T eventually(java.util.function.Supplier<T> probe) {
        try {
            return TestServer.eventually(probe);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
