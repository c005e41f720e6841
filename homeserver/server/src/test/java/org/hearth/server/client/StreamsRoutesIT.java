package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sync, account data, tags, presence, filters and capabilities over real HTTP with registered users. */
class StreamsRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();
    private static final String V3 = "/_matrix/client/v3";

    private static TestServer.User newUser() {
        return server.register("s" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static List<String> types(JsonObject section) {
        return section.getJsonArray("events").stream().map(v -> v.asJsonObject().getString("type")).toList();
    }

    @Test
    void accountDataRoundTripsAndAppearsInSyncIncrementally() {
        var alice = newUser();
        String path = V3 + "/user/" + enc(alice.userId()) + "/account_data/org.example.a";
        alice.get(path).assertError(404, "M_NOT_FOUND");
        alice.put(path, json("v", 1)).assertStatus(200);
        assertEquals(json("v", 1), alice.get(path).assertStatus(200).json());

        var first = alice.get(V3 + "/sync").assertStatus(200).json();
        assertTrue(types(first.getJsonObject("account_data")).contains("org.example.a"));
        String since = first.getString("next_batch");

        var quiet = alice.get(V3 + "/sync?since=" + since).assertStatus(200).json();
        assertEquals(List.of(), types(quiet.getJsonObject("account_data")));

        alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/org.example.b", json("w", true)).assertStatus(200);
        var next = alice.get("/_matrix/client/r0/sync?since=" + since).assertStatus(200).json();
        assertEquals(List.of("org.example.b"), types(next.getJsonObject("account_data")));
        assertFalse(next.getString("next_batch").equals(since));
    }

    @Test
    void longPollingSyncAnswersPromptlyWhenAccountDataChanges() throws Exception {
        var alice = newUser();
        String since = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        var writer = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/m.direct", json()).assertStatus(200);
        });
        long start = System.nanoTime();
        var body = alice.get(V3 + "/sync?timeout=20000&since=" + since).assertStatus(200).json();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        writer.join();
        assertEquals(List.of("m.direct"), types(body.getJsonObject("account_data")));
        assertTrue(tookMs < 3_000, "answered after " + tookMs + " ms");
        System.out.println("HTTP long-poll answered " + tookMs + " ms after it started (change at 500 ms)");
    }

    @Test
    void syncWithNothingNewWaitsForItsTimeout() {
        var alice = newUser();
        String since = alice.get(V3 + "/sync").assertStatus(200).json().getString("next_batch");
        long start = System.nanoTime();
        var body = alice.get(V3 + "/sync?timeout=800&since=" + since).assertStatus(200).json();
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMs >= 790, "answered after " + tookMs + " ms");
        assertTrue(body.containsKey("next_batch"));
    }

    @Test
    void badSinceTokenIsInvalidParam() {
        var alice = newUser();
        for (String bad : List.of("nope", "s1_2", "s1_2_3_4_5_x")) {
            alice.get(V3 + "/sync?since=" + bad).assertError(400, "M_INVALID_PARAM");
        }
        alice.get(V3 + "/sync?timeout=-1").assertError(400, "M_INVALID_PARAM");
        alice.get(V3 + "/sync?set_presence=busy").assertError(400, "M_INVALID_PARAM");
        alice.get(V3 + "/sync?filter=12345678").assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void otherUsersDataIsForbidden() {
        var alice = newUser();
        var bob = newUser();
        String alices = V3 + "/user/" + enc(alice.userId());
        bob.get(alices + "/account_data/m.direct").assertError(403, "M_FORBIDDEN");
        bob.put(alices + "/account_data/m.direct", json()).assertError(403, "M_FORBIDDEN");
        bob.get(alices + "/rooms/" + enc("!r:x") + "/account_data/m.direct").assertError(403, "M_FORBIDDEN");
        bob.get(alices + "/rooms/" + enc("!r:x") + "/tags").assertError(403, "M_FORBIDDEN");
        bob.put(alices + "/rooms/" + enc("!r:x") + "/tags/u.x", json()).assertError(403, "M_FORBIDDEN");
        bob.post(alices + "/filter", json()).assertError(403, "M_FORBIDDEN");
        bob.put(V3 + "/presence/" + enc(alice.userId()) + "/status", json("presence", "online")).assertError(403, "M_FORBIDDEN");
        bob.get(V3 + "/presence/" + enc(alice.userId()) + "/status").assertError(403, "M_FORBIDDEN");
    }

    @Test
    void serverControlledAccountDataIsRefused405() {
        var alice = newUser();
        String base = V3 + "/user/" + enc(alice.userId());
        alice.put(base + "/account_data/m.push_rules", json()).assertError(405, "M_BAD_JSON");
        alice.put(base + "/rooms/" + enc("!r:x") + "/account_data/m.fully_read", json("event_id", "$e"))
                .assertError(405, "M_BAD_JSON");
        alice.put(base + "/rooms/not-a-room/account_data/x.y", json()).assertError(400, "M_INVALID_PARAM");
    }

    @Test
    void tagsRoundTrip() {
        var alice = newUser();
        String tags = V3 + "/user/" + enc(alice.userId()) + "/rooms/" + enc("!room:example.org") + "/tags";
        assertEquals(json("tags", json()), alice.get(tags).assertStatus(200).json());
        alice.put(tags + "/m.favourite", json("order", jakarta.json.Json.createValue(0.25))).assertStatus(200);
        alice.put(tags + "/u.work", json()).assertStatus(200);
        alice.delete(tags + "/u.work").assertStatus(200);
        var got = alice.get(tags).assertStatus(200).json().getJsonObject("tags");
        assertEquals(List.of("m.favourite"), List.copyOf(got.keySet()));
        assertEquals(0.25, got.getJsonObject("m.favourite").getJsonNumber("order").doubleValue());
        alice.put(tags + "/u.bad", json("order", "first")).assertError(400, "M_BAD_JSON");
    }

    @Test
    void presenceSetAndGet() {
        var alice = newUser();
        String status = V3 + "/presence/" + enc(alice.userId()) + "/status";
        alice.put(status, json("presence", "unavailable", "status_msg", "away")).assertStatus(200);
        var got = alice.get(status).assertStatus(200).json();
        assertEquals("unavailable", got.getString("presence"));
        assertEquals("away", got.getString("status_msg"));
        assertTrue(got.containsKey("last_active_ago"));
        alice.put(status, json("presence", "dancing")).assertError(400, "M_INVALID_PARAM");
        alice.put(status, json()).assertError(400, "M_MISSING_PARAM");

        alice.get(V3 + "/sync?set_presence=online").assertStatus(200);
        assertEquals("online", alice.get(status).assertStatus(200).json().getString("presence"));
    }

    @Test
    void capabilitiesListRoomVersionsAndProfileChanges() {
        var caps = newUser().get(V3 + "/capabilities").assertStatus(200).json().getJsonObject("capabilities");
        var versions = caps.getJsonObject("m.room_versions");
        assertEquals(RoomVersion.DEFAULT.id(), versions.getString("default"));
        assertEquals(RoomVersion.ALL.size(), versions.getJsonObject("available").size());
        assertEquals("stable", versions.getJsonObject("available").getString("10"));
        assertTrue(caps.getJsonObject("m.change_password").getBoolean("enabled"));
        assertTrue(caps.getJsonObject("m.set_displayname").getBoolean("enabled"));
        assertFalse(caps.getJsonObject("m.3pid_changes").getBoolean("enabled"));
    }

    @Test
    void filtersAreCreatedReadAndUsedBySync() {
        var alice = newUser();
        String filters = V3 + "/user/" + enc(alice.userId()) + "/filter";
        JsonObject filter = json("account_data", json("types", Json.arrayBuilder().add("org.keep")));
        String id = alice.post(filters, filter).assertStatus(200).json().getString("filter_id");
        assertEquals(filter, alice.get(filters + "/" + id).assertStatus(200).json());
        alice.get(filters + "/999999999").assertError(404, "M_NOT_FOUND");
        newUser().get(V3 + "/user/" + enc(alice.userId()) + "/filter/" + id).assertError(403, "M_FORBIDDEN");
        alice.post(filters, json("room", json("timeline", json("limit", "ten")))).assertError(400, "M_BAD_JSON");

        alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/org.keep", json()).assertStatus(200);
        alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/org.drop", json()).assertStatus(200);
        assertEquals(List.of("org.keep"), types(alice.get(V3 + "/sync?filter=" + id).assertStatus(200).json()
                .getJsonObject("account_data")));
        // An initial sync also carries the never-set push rules' defaults, which not_types does not exclude.
        assertEquals(List.of("org.drop", "m.push_rules"), types(alice.get(V3 + "/sync?filter="
                + enc("{\"account_data\": {\"not_types\": [\"org.keep\"]}}")).assertStatus(200).json().getJsonObject("account_data")));
    }

    @Test
    void typingAndReceiptsNeedMembership() {
        var alice = newUser();
        String room = enc("!nowhere:example.org");
        alice.put(V3 + "/rooms/" + room + "/typing/" + enc(alice.userId()), json("typing", true, "timeout", 1000))
                .assertError(403, "M_FORBIDDEN");
        alice.put(V3 + "/rooms/" + room + "/typing/" + enc(newUser().userId()), json("typing", true))
                .assertError(403, "M_FORBIDDEN");
        alice.post(V3 + "/rooms/" + room + "/receipt/m.read/" + enc("$e"), json()).assertError(403, "M_FORBIDDEN");
        alice.post(V3 + "/rooms/" + room + "/read_markers", json("m.fully_read", "$e")).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void syncHasTheSpecShape() {
        var body = newUser().get(V3 + "/sync?full_state=true").assertStatus(200).json();
        for (String key : List.of("next_batch", "rooms", "presence", "account_data", "to_device", "device_lists",
                "device_one_time_keys_count")) {
            assertTrue(body.containsKey(key), key);
        }
        for (String key : List.of("join", "invite", "leave", "knock")) {
            assertEquals(JsonValue.ValueType.OBJECT, body.getJsonObject("rooms").get(key).getValueType());
        }
    }
}
