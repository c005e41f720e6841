package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client transaction IDs (spec: Client-Server API, "Transaction identifiers") stay idempotent when the engine
 * remembers a send only in memory: across a restart, and for retries racing each other in one batch.
 */
class SendTxnIT {
    private static final String V3 = "/_matrix/client/v3";

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String send(TestServer.User user, String room, String txn, String body) {
        return user.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/" + txn, json("msgtype", "m.text",
                "body", body)).assertStatus(200).json().getString("event_id");
    }

    private static List<String> bodies(TestServer.User user, String room) {
        List<String> out = new ArrayList<>();
        for (JsonValue v : user.get(V3 + "/rooms/" + enc(room) + "/messages?dir=f&limit=100").assertStatus(200).json()
                .getJsonArray("chunk")) {
            if (v.asJsonObject().getString("type").equals("m.room.message")) {
                out.add(v.asJsonObject().getJsonObject("content").getString("body"));
            }
        }
        return out;
    }

    @Test
    void retriesAfterARestartGetTheFirstEventAlongsideNewSends() throws Exception {
        TestServer.User alice = server.register("txnalice");
        String room = alice.post(V3 + "/createRoom", json()).assertStatus(200).json().getString("room_id");
        List<String> before = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            before.add(send(alice, room, "old" + i, "old " + i));
        }
        server.restart();
        // Retries of the old sends and new sends at once, so that some share a batch (group commit).
        List<Callable<String>> calls = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++) {
                int n = i;
                calls.add(() -> send(alice, room, "old" + n, "old " + n));
                calls.add(() -> send(alice, room, "new" + n, "new " + n));
            }
        }
        List<String> ids = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Future<String> f : pool.invokeAll(calls)) {
                ids.add(f.get());
            }
        }
        Set<String> newIds = new HashSet<>();
        for (int i = 0; i < ids.size(); i++) {
            int n = (i / 2) % 4;
            if (i % 2 == 0) {
                assertEquals(before.get(n), ids.get(i), "retry of old" + n);
            } else {
                assertNotEquals(before.get(n), ids.get(i));
                newIds.add(ids.get(i));
            }
        }
        assertEquals(4, newIds.size(), "each new transaction ID made one event");
        List<String> bodies = bodies(alice, room);
        assertEquals(8, bodies.size(), bodies.toString());
        assertEquals(Set.of("old 0", "old 1", "old 2", "old 3", "new 0", "new 1", "new 2", "new 3"),
                new HashSet<>(bodies));
    }

    @Test
    void concurrentRetriesOfOneSendMakeOneEvent() throws Exception {
        TestServer.User bob = server.register("txnbob");
        String room = bob.post(V3 + "/createRoom", json()).assertStatus(200).json().getString("room_id");
        List<Callable<String>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(() -> send(bob, room, "same", "once"));
        }
        Set<String> ids = new HashSet<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
            for (Future<String> f : pool.invokeAll(calls)) {
                ids.add(f.get());
            }
        }
        assertEquals(1, ids.size(), ids.toString());
        assertEquals(List.of("once"), bodies(bob, room));
    }
}
