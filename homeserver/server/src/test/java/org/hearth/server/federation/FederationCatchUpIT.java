package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.room.StoredEvent;
import org.hearth.server.TestServer;
import org.hearth.spec.id.RoomId;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server B is down while A's user sends more than 500 events: A's queue for B passes the catch-up bound, so A sends
 * only the newest event of the room and B fetches the rest with paged /get_missing_events. B ends with every event,
 * in order, in its timeline (no hole bridged by /state_ids).
 */
class FederationCatchUpIT {
    private static final int EVENTS = 520;

    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    @Test
    void aServerMoreThan500EventsBehindEndsWithEveryEventInOrder() throws Exception {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.createPublicRoomJoinedBy(bob);
        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/before",
                TestServer.json("msgtype", "m.text", "body", "before")).assertStatus(200);
        awaitBodies(b, roomId, "before", 1, 30_000);

        String bName = b.serverName();
        b.stop();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            sent.add("while down " + i);
            alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/d" + i,
                    TestServer.json("msgtype", "m.text", "body", sent.getLast())).assertStatus(200);
        }
        int queued = outboxPdus(a, bName);
        assertTrue(queued > 500, "A's queue for B is past the catch-up bound: " + queued);

        long start = System.nanoTime();
        b.start();
        // B speaks to A (a typing notice): that ends A's backoff wait for B, as any request from B does.
        var bobAgain = b.login(bob.localpart(), TestServer.DEFAULT_PASSWORD);
        bobAgain.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/typing/" + enc(bob.userId()),
                TestServer.json("typing", true, "timeout", 5_000)).assertStatus(200);
        List<String> got = awaitBodies(b, roomId, sent.getLast(), EVENTS + 1, 180_000);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("MEASURE federation catch-up: B restarted %d PDUs behind had all %d events %.1f s after"
                + " its start began%n", queued, EVENTS, seconds);
        List<String> expected = new ArrayList<>(List.of("before"));
        expected.addAll(sent);
        assertEquals(expected, got);
        // And a client of B reads them as one timeline: the newest page of /messages ends with the last ones.
        String page = bobAgain.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=50")
                .assertStatus(200).body();
        assertTrue(page.contains("while down " + (EVENTS - 1)) && page.contains("while down " + (EVENTS - 50)), page);
    }

    /** B's timeline message bodies, once {@code last} and {@code count} messages are there (polls until timeout). */
    /** The message bodies of {@code server}'s timeline of the room once {@code last} is among {@code count}. */
    static List<String> awaitBodies(TestServer server, String roomId, String last, int count, long timeoutMs)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        List<String> bodies = List.of();
        while (System.currentTimeMillis() < deadline) {
            var reader = server.server().rooms().reader();
            List<StoredEvent> timeline = reader.timeline(RoomId.parse(roomId), 0, reader.currentPosition(), 10_000,
                    false);
            bodies = timeline.stream().filter(e -> "m.room.message".equals(e.type()) && e.inTimeline())
                    .map(e -> e.pdu().content().getString("body", "")).toList();
            if (bodies.size() >= count && bodies.contains(last)) {
                return bodies;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("never got " + last + " among " + count + "; has " + bodies.size() + ": "
                + (bodies.size() > 20 ? bodies.subList(bodies.size() - 20, bodies.size()) : bodies));
    }

    private static int outboxPdus(TestServer server, String destination) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/"
                + server.scratchDatabase().orElseThrow(), "root", "");
             var s = c.prepareStatement("SELECT COUNT(*) FROM federation_outbox WHERE destination = ? AND kind = 'pdu'")) {
            s.setString(1, destination);
            try (var r = s.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
