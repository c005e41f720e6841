package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The rooms section of /sync over the real room engine: invites, joins, timelines, wake-ups, leaves. */
class RoomSyncIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final AtomicInteger N = new AtomicInteger();
    private static final String V3 = "/_matrix/client/v3";

    private static TestServer.User newUser(String name) {
        return server.register(name + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String createRoom(TestServer.User creator, JsonObject body) {
        return creator.post(V3 + "/createRoom", body).assertStatus(200).json().getString("room_id");
    }

    private static String send(TestServer.User sender, String room, String body) {
        return sender.put(V3 + "/rooms/" + enc(room) + "/send/m.room.message/t" + System.nanoTime(),
                json("msgtype", "m.text", "body", body)).assertStatus(200).json().getString("event_id");
    }

    private static JsonObject sync(TestServer.User user, String since, String query) {
        String q = (since == null ? "" : "since=" + since + "&") + query;
        return user.get(V3 + "/sync?" + q).assertStatus(200).json();
    }

    private static JsonObject section(JsonObject sync, String kind, String room) {
        JsonValue v = sync.getJsonObject("rooms").getJsonObject(kind).get(room);
        return v == null ? null : v.asJsonObject();
    }

    private static List<JsonObject> events(JsonObject holder, String key) {
        return holder.getJsonObject(key).getJsonArray("events").stream().map(JsonValue::asJsonObject).toList();
    }

    private static Set<String> types(List<JsonObject> events) {
        Set<String> out = new HashSet<>();
        events.forEach(e -> out.add(e.getString("type") + "|" + e.getString("state_key", "")));
        return out;
    }

    private static List<String> bodies(List<JsonObject> events) {
        return events.stream().filter(e -> e.getString("type").equals("m.room.message"))
                .map(e -> e.getJsonObject("content").getString("body")).toList();
    }

    private static boolean mentions(JsonObject sync, String room) {
        JsonObject rooms = sync.getJsonObject("rooms");
        return List.of("join", "invite", "leave", "knock").stream().anyMatch(k -> rooms.getJsonObject(k).containsKey(room));
    }

    @Test
    void inviteJoinTalkAndLeaveAsSeenByTheInvitee() throws Exception {
        var alice = newUser("alice");
        var bob = newUser("bob");
        String room = createRoom(alice, json("preset", "private_chat", "name", "Plans"));
        String since = sync(bob, null, "").getString("next_batch");

        alice.post(V3 + "/rooms/" + enc(room) + "/invite", json("user_id", bob.userId())).assertStatus(200);
        JsonObject invited = sync(bob, since, "timeout=5000");
        JsonObject invite = section(invited, "invite", room);
        assertNotNull(invite, invited.toString());
        List<JsonObject> stripped = events(invite, "invite_state");
        assertTrue(types(stripped).containsAll(Set.of("m.room.create|", "m.room.join_rules|", "m.room.name|",
                "m.room.member|" + alice.userId(), "m.room.member|" + bob.userId())), stripped.toString());
        for (JsonObject e : stripped) {
            assertEquals(Set.of("type", "state_key", "sender", "content"), e.keySet());
        }
        since = invited.getString("next_batch");

        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        JsonObject joined = sync(bob, since, "timeout=5000");
        JsonObject join = section(joined, "join", room);
        assertNotNull(join, joined.toString());
        Set<String> all = types(events(join, "state"));
        all.addAll(types(events(join, "timeline")));
        assertTrue(all.containsAll(Set.of("m.room.create|", "m.room.power_levels|", "m.room.join_rules|",
                "m.room.name|", "m.room.member|" + alice.userId(), "m.room.member|" + bob.userId())), all.toString());
        assertFalse(events(join, "timeline").getFirst().containsKey("room_id"));
        assertEquals(2, join.getJsonObject("summary").getInt("m.joined_member_count"));
        assertEquals(0, join.getJsonObject("unread_notifications").getInt("notification_count"));
        since = joined.getString("next_batch");

        List<Long> latencies = new ArrayList<>();
        List<Long> fromSendStart = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            AtomicLong sentAt = new AtomicLong();
            AtomicLong sendStart = new AtomicLong();
            String text = "wake " + i;
            var sender = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                sendStart.set(System.nanoTime());
                send(alice, room, text);
                sentAt.set(System.nanoTime());
            });
            long start = System.nanoTime();
            JsonObject woke = sync(bob, since, "timeout=10000");
            long answered = System.nanoTime();
            sender.join();
            assertTrue((answered - start) / 1_000_000 < 2_300, "long-poll took " + (answered - start) / 1_000_000 + " ms");
            assertEquals(List.of(text), bodies(events(section(woke, "join", room), "timeline")), woke.toString());
            // From the send's 200 to the sync's answer; the sync may even answer before the sender reads its 200.
            latencies.add(Math.max(0, (answered - sentAt.get()) / 1_000_000));
            fromSendStart.add((answered - sendStart.get()) / 1_000_000);
            since = woke.getString("next_batch");
        }
        System.out.println("sync wake latency (ms) after the send's 200: " + latencies
                + "; after the send request started: " + fromSendStart);

        bob.post(V3 + "/rooms/" + enc(room) + "/leave", json()).assertStatus(200);
        JsonObject left = sync(bob, since, "timeout=5000");
        JsonObject leave = section(left, "leave", room);
        assertNotNull(leave, left.toString());
        List<JsonObject> timeline = events(leave, "timeline");
        assertEquals("leave", timeline.getLast().getJsonObject("content").getString("membership"));
        assertFalse(section(left, "join", room) != null);
        since = left.getString("next_batch");

        send(alice, room, "after bob left");
        JsonObject after = sync(bob, since, "timeout=0");
        assertFalse(mentions(after, room), after.toString());
        assertFalse(mentions(sync(bob, null, ""), room));
        JsonObject withLeave = section(sync(bob, null, "filter=" + enc("{\"room\":{\"include_leave\":true}}")),
                "leave", room);
        assertNotNull(withLeave);
        assertFalse(bodies(events(withLeave, "timeline")).contains("after bob left"));
    }

    @Test
    void limitedTimelineAndPrevBatchPaginateWithoutGapOrDuplicate() {
        var alice = newUser("alice");
        String room = createRoom(alice, json("preset", "public_chat"));
        String since = sync(alice, null, "").getString("next_batch");
        for (int i = 0; i < 30; i++) {
            send(alice, room, "m" + i);
        }
        String filter = enc("{\"room\":{\"timeline\":{\"limit\":10}}}");
        JsonObject body = sync(alice, since, "filter=" + filter);
        JsonObject join = section(body, "join", room);
        JsonObject timeline = join.getJsonObject("timeline");
        assertTrue(timeline.getBoolean("limited"));
        List<String> seen = new ArrayList<>(bodies(events(join, "timeline")));
        assertEquals(List.of("m20", "m21", "m22", "m23", "m24", "m25", "m26", "m27", "m28", "m29"), seen);
        JsonObject own = events(join, "timeline").getLast();
        assertTrue(own.getJsonObject("unsigned").containsKey("transaction_id"), "the sending device sees its txn ID");

        List<String> older = new ArrayList<>();
        String from = timeline.getString("prev_batch");
        while (older.size() < 20) {
            JsonObject page = alice.get(V3 + "/rooms/" + enc(room) + "/messages?dir=b&limit=7&from=" + enc(from))
                    .assertStatus(200).json();
            List<JsonObject> chunk = page.getJsonArray("chunk").stream().map(JsonValue::asJsonObject).toList();
            chunk.stream().filter(e -> e.getString("type").equals("m.room.message"))
                    .forEach(e -> older.add(e.getJsonObject("content").getString("body")));
            if (!page.containsKey("end")) {
                break;
            }
            from = page.getString("end");
        }
        List<String> expected = new ArrayList<>();
        for (int i = 19; i >= 0; i--) {
            expected.add("m" + i);
        }
        assertEquals(expected, older);

        // full_state: the whole state, but the timeline stays incremental (empty: nothing new since).
        JsonObject whole = section(sync(alice, body.getString("next_batch"), "full_state=true"), "join", room);
        assertEquals(List.of(), events(whole, "timeline"));
        assertTrue(types(events(whole, "state")).containsAll(Set.of("m.room.create|", "m.room.power_levels|")));

        // Initial sync: the last 10 events, limited, and the state before them (the room's creation).
        JsonObject initial = section(sync(alice, null, "filter=" + filter), "join", room);
        assertTrue(initial.getJsonObject("timeline").getBoolean("limited"));
        assertEquals(10, events(initial, "timeline").size());
        assertTrue(types(events(initial, "state")).containsAll(Set.of("m.room.create|", "m.room.member|" + alice.userId())));
    }

    @Test
    void stateChangedInTheGapOfALimitedTimelineComesInState() {
        var alice = newUser("alice");
        var bob = newUser("bob");
        String room = createRoom(alice, json("preset", "public_chat"));
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        String since = sync(bob, null, "").getString("next_batch");
        alice.put(V3 + "/rooms/" + enc(room) + "/state/m.room.topic/", json("topic", "gap")).assertStatus(200);
        for (int i = 0; i < 5; i++) {
            send(alice, room, "after topic " + i);
        }
        JsonObject join = section(sync(bob, since, "filter=" + enc("{\"room\":{\"timeline\":{\"limit\":3}}}")),
                "join", room);
        assertTrue(join.getJsonObject("timeline").getBoolean("limited"));
        List<JsonObject> state = events(join, "state");
        assertEquals(Set.of("m.room.topic|"), types(state), state.toString());
        assertEquals("gap", state.getFirst().getJsonObject("content").getString("topic"));

        // Kicked: the room moves to leave, its timeline ending at the kick.
        since = sync(bob, null, "").getString("next_batch");
        alice.post(V3 + "/rooms/" + enc(room) + "/kick", json("user_id", bob.userId())).assertStatus(200);
        JsonObject leave = section(sync(bob, since, "timeout=5000"), "leave", room);
        assertNotNull(leave);
        JsonObject kick = events(leave, "timeline").getLast();
        assertEquals(alice.userId(), kick.getString("sender"));
        assertEquals("leave", kick.getJsonObject("content").getString("membership"));
    }

    /** Runs {@code action} 200 ms into a long-poll of {@code user}; returns the sync body and how long it took. */
    private static JsonObject whileWaiting(TestServer.User user, String since, Runnable action) throws Exception {
        var actor = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            action.run();
        });
        long start = System.nanoTime();
        JsonObject body = sync(user, since, "timeout=10000");
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        actor.join();
        assertTrue(tookMs < 2_000, "long-poll answered after " + tookMs + " ms");
        return body;
    }

    @Test
    void theInviteeAndTheKickedAreWokenThoughNotJoined() throws Exception {
        var alice = newUser("alice");
        var bob = newUser("bob");
        String room = createRoom(alice, json("preset", "private_chat"));
        String since = sync(bob, null, "").getString("next_batch");
        JsonObject invited = whileWaiting(bob, since, () -> alice.post(V3 + "/rooms/" + enc(room) + "/invite",
                json("user_id", bob.userId())).assertStatus(200));
        assertNotNull(section(invited, "invite", room), invited.toString());
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        since = sync(bob, invited.getString("next_batch"), "").getString("next_batch");
        JsonObject kicked = whileWaiting(bob, since, () -> alice.post(V3 + "/rooms/" + enc(room) + "/kick",
                json("user_id", bob.userId())).assertStatus(200));
        assertNotNull(section(kicked, "leave", room), kicked.toString());
    }

    @Test
    void aProfileChangeIsOneTimelineEventNotARejoin() {
        var alice = newUser("alice");
        var bob = newUser("bob");
        String room = createRoom(alice, json("preset", "public_chat"));
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        String since = sync(bob, null, "").getString("next_batch");
        bob.put(V3 + "/profile/" + enc(bob.userId()) + "/displayname", json("displayname", "Robert")).assertStatus(200);
        JsonObject join = section(sync(bob, since, "timeout=5000"), "join", room);
        assertNotNull(join);
        List<JsonObject> timeline = events(join, "timeline");
        assertEquals(1, timeline.size(), timeline.toString());
        assertEquals("Robert", timeline.getFirst().getJsonObject("content").getString("displayname"));
        assertFalse(join.getJsonObject("timeline").getBoolean("limited"));
        assertEquals(List.of(), events(join, "state"));
    }

    @Test
    void nonMembersNeverSeeTheRoom() {
        var alice = newUser("alice");
        var carol = newUser("carol");
        String since = sync(carol, null, "").getString("next_batch");
        String room = createRoom(alice, json("preset", "public_chat"));
        send(alice, room, "not for carol");
        assertFalse(mentions(sync(carol, since, "timeout=0"), room));
        assertFalse(mentions(sync(carol, null, "filter=" + enc("{\"room\":{\"include_leave\":true}}")), room));
    }

    @Test
    void historyBeforeJoiningIsHiddenWhenVisibilityIsJoined() {
        var alice = newUser("alice");
        var bob = newUser("bob");
        String room = createRoom(alice, Json.objectBuilder().add("preset", "public_chat")
                .add("initial_state", Json.arrayBuilder().add(json("type", "m.room.history_visibility",
                        "state_key", "", "content", json("history_visibility", "joined")))).build());
        send(alice, room, "secret");
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        send(alice, room, "welcome");
        JsonObject join = section(sync(bob, null, ""), "join", room);
        assertEquals(List.of("welcome"), bodies(events(join, "timeline")));
    }

    @Test
    void lazyLoadingKeepsOnlyTheTimelineSendersMembers() {
        var alice = newUser("alice");
        var bob = newUser("bob");
        var carol = newUser("carol");
        String room = createRoom(alice, json("preset", "public_chat"));
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        carol.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        for (int i = 0; i < 3; i++) {
            send(bob, room, "from bob " + i);
        }
        String filter = enc("{\"room\":{\"timeline\":{\"limit\":3},\"state\":{\"lazy_load_members\":true}}}");
        JsonObject join = section(sync(carol, null, "filter=" + filter), "join", room);
        Set<String> members = new HashSet<>();
        events(join, "state").stream().filter(e -> e.getString("type").equals("m.room.member"))
                .forEach(e -> members.add(e.getString("state_key")));
        assertEquals(Set.of(bob.userId(), carol.userId()), members);
        assertEquals(3, join.getJsonObject("summary").getInt("m.joined_member_count"));
        assertTrue(join.getJsonObject("summary").getJsonArray("m.heroes").size() >= 2);
    }

    @Test
    void typingAndReceiptsReachMembersInEphemeral() {
        var alice = newUser("alice");
        var bob = newUser("bob");
        String room = createRoom(alice, json("preset", "public_chat"));
        bob.post(V3 + "/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        String event = send(alice, room, "read me");
        String since = sync(bob, null, "").getString("next_batch");

        alice.put(V3 + "/rooms/" + enc(room) + "/typing/" + enc(alice.userId()), json("typing", true, "timeout", 10000))
                .assertStatus(200);
        JsonObject typing = section(sync(bob, since, "timeout=5000"), "join", room);
        assertNotNull(typing);
        assertTrue(events(typing, "ephemeral").toString().contains(alice.userId()));

        alice.post(V3 + "/rooms/" + enc(room) + "/receipt/m.read/" + enc(event), json()).assertStatus(200);
        JsonObject receipts = sync(bob, null, "");
        List<JsonObject> eph = events(section(receipts, "join", room), "ephemeral");
        assertTrue(eph.stream().anyMatch(e -> e.getString("type").equals("m.receipt") && e.toString().contains(event)),
                eph.toString());

        var carol = newUser("carol");
        carol.put(V3 + "/rooms/" + enc(room) + "/typing/" + enc(carol.userId()), json("typing", true))
                .assertError(403, "M_FORBIDDEN");
    }
}
