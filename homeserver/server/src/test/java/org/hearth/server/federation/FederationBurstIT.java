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
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A burst of messages queued on A for B (B down meanwhile, the queue well below the catch-up bound) reaches B in a
 * few transactions, and B places a transaction's run of messages in one commit, not one commit per PDU: counted,
 * in B's stored transaction answers and its room engine's commits of received PDUs.
 */
class FederationBurstIT {
    private static final int EVENTS = 40;

    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    @Test
    void aBurstReachesTheOtherServerInFewTransactionsAndFewCommits() throws Exception {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.createPublicRoomJoinedBy(bob);
        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/before",
                TestServer.json("msgtype", "m.text", "body", "before")).assertStatus(200);
        FederationCatchUpIT.awaitBodies(b, roomId, "before", 1, 60_000);

        b.stop();
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            sent.add("burst " + i);
            alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/b" + i,
                    TestServer.json("msgtype", "m.text", "body", sent.getLast())).assertStatus(200);
        }
        int answersBefore = transactionsFrom(a.serverName());
        b.start();
        // Any request from B ends A's backoff wait for it.
        var bobAgain = b.login(bob.localpart(), TestServer.DEFAULT_PASSWORD);
        bobAgain.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/typing/" + enc(bob.userId()),
                TestServer.json("typing", true, "timeout", 5_000)).assertStatus(200);
        List<String> got = FederationCatchUpIT.awaitBodies(b, roomId, sent.getLast(), EVENTS + 1, 60_000);

        List<String> expected = new ArrayList<>(List.of("before"));
        expected.addAll(sent);
        assertEquals(expected, got);
        // The first message went out alone while B was down (a transaction is frozen when first tried); the rest
        // fit one transaction of at most 50 PDUs (EDUs such as presence may go in transactions of their own).
        int transactions = transactionsFrom(a.serverName()) - answersBefore;
        assertTrue(transactions <= 5, EVENTS + " events came in " + transactions + " transactions");
        long commits = b.server().rooms().engine().receivedCommits();
        assertTrue(commits <= 3, EVENTS + " received events were placed in " + commits + " commits");
    }

    /** B's timeline message bodies, once {@code last} and {@code count} messages are there (polls until 60 s). */

    /** Transactions B answered from {@code origin} (each answer is kept for retries). */
    private static int transactionsFrom(String origin) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/"
                + b.scratchDatabase().orElseThrow(), "root", "");
             var s = c.prepareStatement("SELECT COUNT(*) FROM federation_txn_answers WHERE origin = ?")) {
            s.setString(1, origin);
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
