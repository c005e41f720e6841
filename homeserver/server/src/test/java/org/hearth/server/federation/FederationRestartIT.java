package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real Hearth servers; B goes down while A's user keeps talking. A's outbound queue is in its database: A
 * restarts meanwhile, and once B is back it gets every event, in order. Then a gap B cannot be sent (A's queue for
 * it is emptied behind its back): B fills it with /get_missing_events and, before the oldest event it got that way,
 * with the state from A's /state_ids.
 */
class FederationRestartIT {
    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    // One get_missing_events page (10 events) per gap, so the gap below is bridged with /state_ids.
    static final TestServer b = TestServer.federatingOnLoopback().with("federation.max_missing_events", "10");

    @Test
    void aServerThatWasDownGetsEveryEventInOrderThenFillsAGapFromStateIds() throws Exception {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.createPublicRoomJoinedBy(bob);
        awaitMessages(alice, roomId, bob.userId());

        String bName = b.serverName();
        b.stop();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add("while down " + i);
            alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/d" + i,
                    TestServer.json("msgtype", "m.text", "body", sent.getLast())).assertStatus(200);
        }
        assertTrue(outboxRows(a, bName) > 0, "A keeps the events for B in its database");
        // A restarts too: what it still owes B comes from its database.
        a.restart();
        long down = System.nanoTime();
        b.start();
        var bobAgain = b.login(bob.localpart(), TestServer.DEFAULT_PASSWORD);
        List<String> got = awaitMessages(bobAgain, roomId, "while down 19");
        System.out.printf("federation: B restarted and had the 20 events it missed %.1f s after its start began%n",
                (System.nanoTime() - down) / 1e9);
        assertEquals(sent, got.stream().filter(s -> s.startsWith("while down")).toList());
        awaitOutboxEmpty(a, bName);

        // A gap: B is down and A's queue for it is lost, so B never gets these twelve by /send.
        b.stop();
        for (int i = 0; i < 12; i++) {
            alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/g" + i,
                    TestServer.json("msgtype", "m.text", "body", "gap " + i)).assertStatus(200);
        }
        try (Connection c = connection(a)) {
            c.createStatement().executeUpdate("DELETE FROM federation_txn_in_flight");
            c.createStatement().executeUpdate("DELETE FROM federation_outbox");
        }
        b.start();
        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/after",
                TestServer.json("msgtype", "m.text", "body", "after the gap")).assertStatus(200);
        List<String> afterGap = awaitMessages(bobAgain, roomId, "after the gap");
        // get_missing_events brings the ten before it (its limit); the oldest of them gets its state by /state_ids.
        List<String> expected = new ArrayList<>(IntStream.range(2, 12).mapToObj(i -> "gap " + i).toList());
        expected.add("after the gap");
        assertEquals(expected, afterGap.subList(afterGap.indexOf("gap 2"), afterGap.size()), afterGap.toString());
        assertFalse(afterGap.contains("gap 0") || afterGap.contains("gap 1"), afterGap.toString());
        StoredEvent oldest = b.server().rooms().reader().timeline(org.hearth.spec.id.RoomId.parse(roomId), 0,
                b.server().rooms().reader().currentPosition(), 200, false).stream()
                .filter(e -> "gap 2".equals(e.pdu().content().getString("body", ""))).findFirst().orElseThrow();
        assertTrue(oldest.inTimeline() && oldest.stateGroup() > 0, oldest.toString());
        assertTrue(b.server().rooms().reader().stateIdsBefore(oldest).size() >= 4);
    }

    /** Message bodies of the room in order, once {@code last} is among them (waits up to 90 s). */
    private static List<String> awaitMessages(TestServer.User user, String roomId, String last)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + 90_000;
        List<String> bodies = List.of();
        while (System.currentTimeMillis() < deadline) {
            var response = user.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=100");
            if (response.status() == 200) {
                List<String> seen = new ArrayList<>();
                boolean found = false;
                for (JsonObject e : response.json().getJsonArray("chunk").getValuesAs(JsonObject.class)) {
                    String text = e.getJsonObject("content").getString("body", e.getString("state_key", ""));
                    found |= text.equals(last);
                    if ("m.room.message".equals(e.getString("type"))) {
                        seen.add(0, text);
                    }
                }
                bodies = seen;
                if (found) {
                    return bodies;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError(user.userId() + " never got " + last + "; has " + bodies);
    }

    private static void awaitOutboxEmpty(TestServer server, String destination) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (outboxRows(server, destination) > 0) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("outbox for " + destination + " never emptied");
            }
            Thread.sleep(200);
        }
    }

    private static int outboxRows(TestServer server, String destination) throws SQLException {
        try (Connection c = connection(server);
             var s = c.prepareStatement("SELECT COUNT(*) FROM federation_outbox WHERE destination = ?")) {
            s.setString(1, destination);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private static Connection connection(TestServer server) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + server.scratchDatabase().orElseThrow(),
                "root", "");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
