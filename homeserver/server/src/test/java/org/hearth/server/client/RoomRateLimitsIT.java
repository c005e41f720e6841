package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Per-user limits on sending events and on joins/invites (limits.messages_*, limits.joins_*). */
class RoomRateLimitsIT {
    // Slow refills, so a test never sees a token come back; small bursts, so it hits the limit quickly.
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("limits.rate_limits", "true")
            .with("limits.messages_per_second", "0.01").with("limits.messages_burst", "3")
            .with("limits.joins_per_second", "0.01").with("limits.joins_burst", "2");

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void sendsStateAndRedactionsShareTheMessageBucketPerUser() {
        var alice = server.registerWithSharedSecret("rl_alice", "pw", false);
        var bob = server.registerWithSharedSecret("rl_bob", "pw", false);
        String room = alice.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                .json().getString("room_id");
        String base = "/_matrix/client/v3/rooms/" + enc(room);
        String first = alice.put(base + "/send/m.room.message/1", json("msgtype", "m.text", "body", "1"))
                .assertStatus(200).json().getString("event_id");
        alice.put(base + "/state/m.room.topic", json("topic", "t")).assertStatus(200);
        alice.put(base + "/redact/" + enc(first) + "/r1", json()).assertStatus(200);
        var limited = alice.put(base + "/send/m.room.message/2", json("msgtype", "m.text", "body", "2"))
                .assertError(429, "M_LIMIT_EXCEEDED");
        assertTrue(limited.json().getJsonNumber("retry_after_ms").longValue() > 0);
        assertTrue(Long.parseLong(limited.header("Retry-After")) > 0);
        alice.put("/_matrix/client/r0/rooms/" + enc(room) + "/state/m.room.name", json("name", "n"))
                .assertError(429, "M_LIMIT_EXCEEDED");
        // Nothing was sent by the refused requests.
        var messages = alice.get(base + "/messages?dir=b&limit=50").assertStatus(200).json().getJsonArray("chunk");
        assertTrue(messages.stream().noneMatch(e -> e.asJsonObject().getString("type").equals("m.room.name")));
        // Reads are not limited, and other users have their own bucket.
        alice.get(base + "/state").assertStatus(200);
        bob.post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
        bob.put(base + "/send/m.room.message/1", json("msgtype", "m.text", "body", "bob")).assertStatus(200);
    }

    @Test
    void managingDelayedEventsHasItsOwnBucket() {
        var erin = server.registerWithSharedSecret("rl_erin", "pw", false);
        // Synapse's rc_delayed_event_mgmt: bursts of 5, 1/s; the messages bucket (burst 3 here) is left alone.
        int refused = 0;
        for (int i = 0; i < 12 && refused == 0; i++) {
            var r = erin.get("/_matrix/client/unstable/org.matrix.msc4140/delayed_events");
            if (r.status() == 429) {
                r.assertError(429, "M_LIMIT_EXCEEDED");
                assertTrue(i >= 5, "refused after " + i + " calls");
                refused++;
            } else {
                r.assertStatus(200);
            }
        }
        assertEquals(1, refused);
        erin.post("/_matrix/client/unstable/org.matrix.msc4140/delayed_events/hd_x/restart", json())
                .assertError(429, "M_LIMIT_EXCEEDED");
        String room = erin.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        erin.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/1", json("msgtype", "m.text", "body", "1"))
                .assertStatus(200);
    }

    @Test
    void joinsAndInvitesShareTheJoinBucket() {
        var carol = server.registerWithSharedSecret("rl_carol", "pw", false);
        var dan = server.registerWithSharedSecret("rl_dan", "pw", false);
        String[] rooms = new String[3];
        for (int i = 0; i < rooms.length; i++) {
            rooms[i] = carol.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                    .json().getString("room_id");
        }
        dan.post("/_matrix/client/v3/join/" + enc(rooms[0]), json()).assertStatus(200);
        dan.post("/_matrix/client/v3/rooms/" + enc(rooms[1]) + "/join", json()).assertStatus(200);
        dan.post("/_matrix/client/v3/join/" + enc(rooms[2]), json()).assertError(429, "M_LIMIT_EXCEEDED");
        dan.post("/_matrix/client/v3/rooms/" + enc(rooms[0]) + "/invite", json("user_id", carol.userId()))
                .assertError(429, "M_LIMIT_EXCEEDED");
        var joined = dan.get("/_matrix/client/v3/joined_rooms").assertStatus(200).json().getJsonArray("joined_rooms");
        assertEquals(2, joined.size());
        // Leaving is not a join.
        dan.post("/_matrix/client/v3/rooms/" + enc(rooms[0]) + "/leave", json()).assertStatus(200);
    }

    @Test
    void requestsWithoutAValidTokenAreAnsweredByTheEndpoint() {
        server.client("PUT", "/_matrix/client/v3/rooms/" + enc("!x:" + server.serverName()) + "/send/m.room.message/1",
                java.net.http.HttpRequest.BodyPublishers.ofString("{}"), "Authorization", "Bearer nope")
                .assertError(401, "M_UNKNOWN_TOKEN");
    }
}
