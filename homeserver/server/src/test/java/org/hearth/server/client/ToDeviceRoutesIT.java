package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PUT /sendToDevice over real HTTP, read back by /sync: spec "Send-to-Device messaging". */
class ToDeviceRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();
    private static final String V3 = "/_matrix/client/v3";

    private static TestServer.User newUser() {
        return server.register("td" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static JsonObject sync(TestServer.User user, String since) {
        return user.get(V3 + "/sync?timeout=0" + (since == null ? "" : "&since=" + URLEncoder.encode(since, StandardCharsets.UTF_8)))
                .assertStatus(200).json();
    }

    private static List<String> bodies(JsonObject sync) {
        List<String> out = new ArrayList<>();
        sync.getJsonObject("to_device").getJsonArray("events")
                .forEach(e -> out.add(e.asJsonObject().getJsonObject("content").getString("body")));
        return out;
    }

    private static TestServer.Response send(TestServer.User from, String txn, JsonObject messages) {
        return from.put(V3 + "/sendToDevice/m.test/" + txn, json("messages", messages));
    }

    @Test
    void messagesStayUntilTheNextSinceAcknowledgesThemThenAreGone() {
        var alice = newUser();
        var bob = newUser();
        var bobPhone = server.login(bob.localpart(), TestServer.DEFAULT_PASSWORD);
        String before = sync(bob, null).getString("next_batch");
        String phoneBefore = sync(bobPhone, null).getString("next_batch");
        send(alice, "t1", json(bob.userId(), json(bob.deviceId(), json("body", "one")))).assertStatus(200);
        send(alice, "t1", json(bob.userId(), json(bob.deviceId(), json("body", "one")))).assertStatus(200); // a retry
        send(alice, "t2", json(bob.userId(), json("*", json("body", "all")))).assertStatus(200);

        var first = sync(bob, before);
        assertEquals(List.of("one", "all"), bodies(first), "the retried transaction is delivered once");
        assertEquals(alice.userId(), first.getJsonObject("to_device").getJsonArray("events").getJsonObject(0).getString("sender"));
        // Not acknowledged: the same since gets them again (the first answer may never have reached the client).
        assertEquals(List.of("one", "all"), bodies(sync(bob, before)));
        // Acknowledged by the next since: none new...
        assertEquals(List.of(), bodies(sync(bob, first.getString("next_batch"))));
        // ...and the acknowledged ones are deleted: the old since no longer brings them back.
        assertEquals(List.of(), bodies(sync(bob, before)));
        // The other device had only the '*' message, still waiting for it.
        assertEquals(List.of("all"), bodies(sync(bobPhone, phoneBefore)));
    }

    @Test
    void anOversizedMessageIsTooLargeAndNothingIsStoredOrRemembered() {
        var alice = newUser();
        var bob = newUser();
        String before = sync(bob, null).getString("next_batch");
        // One message over the EDU bound (65536 bytes), beside a small one for another device: all refused.
        JsonObject big = json("body", "big", "pad", "x".repeat(70_000));
        send(alice, "big1", json(bob.userId(), json(bob.deviceId(), big, "OTHER", json("body", "small"))))
                .assertError(413, "M_TOO_LARGE");
        send(alice, "big2", json("@carol:remote.example", json("DEV", big))).assertError(413, "M_TOO_LARGE");
        assertEquals(List.of(), bodies(sync(bob, before)));
        // The refused transaction ID was not recorded: sending under it again delivers.
        send(alice, "big1", json(bob.userId(), json(bob.deviceId(), json("body", "fits", "pad", "x".repeat(60_000)))))
                .assertStatus(200);
        assertEquals(List.of("fits"), bodies(sync(bob, before)));
    }

    @Test
    void malformedSendsAreBadJsonAndStoreNothing() {
        var alice = newUser();
        var bob = newUser();
        String before = sync(bob, null).getString("next_batch");
        alice.put(V3 + "/sendToDevice/m.test/m1", json()).assertError(400, "M_MISSING_PARAM");
        send(alice, "m2", json(bob.userId(), "x")).assertError(400, "M_BAD_JSON");
        send(alice, "m3", json(bob.userId(), json(bob.deviceId(), json("body", "ok"), "OTHER", 5))).assertError(400, "M_BAD_JSON");
        var notAUser = send(alice, "m4", json(bob.userId(), json(bob.deviceId(), json("body", "ok")), "not a user", json("D", json())));
        assertEquals(400, notAUser.status(), notAUser.body());
        server.client("PUT", V3 + "/sendToDevice/m.test/m5").assertError(401, "M_MISSING_TOKEN");
        assertEquals(List.of(), bodies(sync(bob, before)));
    }
}
