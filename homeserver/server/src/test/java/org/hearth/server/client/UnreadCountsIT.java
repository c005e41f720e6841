package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.hearth.server.client.PushFixtures.V3;
import static org.hearth.server.client.PushFixtures.counts;
import static org.hearth.server.client.PushFixtures.enc;
import static org.hearth.server.client.PushFixtures.joined;
import static org.hearth.server.client.PushFixtures.mention;
import static org.hearth.server.client.PushFixtures.message;
import static org.hearth.server.client.PushFixtures.newUser;
import static org.hearth.server.client.PushFixtures.receipt;
import static org.hearth.server.client.PushFixtures.room;
import static org.hearth.server.client.PushFixtures.send;
import static org.hearth.server.client.PushFixtures.sync;
import static org.hearth.server.client.PushFixtures.threadReply;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** unread_notifications and unread_thread_notifications in /sync, from push rules evaluated on each event. */
class UnreadCountsIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();
    private static final String THREADS_FILTER = enc("{\"room\":{\"timeline\":{\"unread_thread_notifications\":true}}}");

    @Test
    void aMessageCountsForTheOtherMemberNotTheSender() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        message(bob, room, "hello");
        assertArrayEquals(new long[] {1, 0}, counts(joined(sync(alice, null, ""), room)));
        assertArrayEquals(new long[] {0, 0}, counts(joined(sync(bob, null, ""), room)));
    }

    @Test
    void aMentionHighlightsAndAReceiptClearsBoth() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        message(bob, room, "one");
        String second = mention(bob, room, alice);
        JsonObject first = sync(alice, null, "");
        assertArrayEquals(new long[] {2, 1}, counts(joined(first, room)));
        receipt(alice, room, "m.read", second, null);
        JsonObject after = sync(alice, first.getString("next_batch"), "timeout=0");
        assertArrayEquals(new long[] {0, 0}, counts(joined(after, room)), after.toString());
    }

    @Test
    void aReceiptOnAnOlderEventClearsOnlyUpToIt() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        String first = message(bob, room, "one");
        message(bob, room, "two");
        mention(bob, room, alice);
        receipt(alice, room, "m.read.private", first, null);
        assertArrayEquals(new long[] {2, 1}, counts(joined(sync(alice, null, ""), room)));
    }

    @Test
    void countsKeptInMemoryFollowNewEventsReceiptsAndMoreEvents() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        message(bob, room, "one");
        JsonObject first = sync(alice, null, "");
        assertArrayEquals(new long[] {1, 0}, counts(joined(first, room)));
        // Counted after alice's counts were read once: added to them, not read again.
        String second = message(bob, room, "two");
        mention(bob, room, alice);
        JsonObject next = sync(alice, first.getString("next_batch"), "timeout=0");
        assertArrayEquals(new long[] {3, 1}, counts(joined(next, room)), next.toString());
        receipt(alice, room, "m.read", second, null);
        message(bob, room, "four");
        JsonObject last = sync(alice, next.getString("next_batch"), "timeout=0");
        assertArrayEquals(new long[] {2, 1}, counts(joined(last, room)), last.toString());
        // Bob's own messages never count for him, cached or not.
        assertArrayEquals(new long[] {0, 0}, counts(joined(sync(bob, null, ""), room)));
    }

    @Test
    void theSyncThatDeliversAnEventCarriesItsCount() throws Exception {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        String since = sync(alice, null, "").getString("next_batch");
        var waiting = CompletableFuture.supplyAsync(() -> sync(alice, since, "timeout=10000"));
        Thread.sleep(300);
        String event = mention(bob, room, alice);
        JsonObject woken = waiting.get(15, TimeUnit.SECONDS);
        JsonObject section = joined(woken, room);
        assertNotNull(section, woken.toString());
        assertTrue(section.getJsonObject("timeline").toString().contains(event), woken.toString());
        assertArrayEquals(new long[] {1, 1}, counts(section));
    }

    @Test
    void aReceiptWakesAWaitingSyncWithTheNewCounts() throws Exception {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        String event = message(bob, room, "read me");
        JsonObject first = sync(alice, null, "");
        assertArrayEquals(new long[] {1, 0}, counts(joined(first, room)));
        var waiting = CompletableFuture.supplyAsync(() -> sync(alice, first.getString("next_batch"), "timeout=10000"));
        Thread.sleep(300);
        // Private: only alice's own sync hears of it, and it must still carry the cleared count.
        receipt(alice, room, "m.read.private", event, null);
        JsonObject woken = waiting.get(15, TimeUnit.SECONDS);
        assertNotNull(joined(woken, room), woken.toString());
        assertArrayEquals(new long[] {0, 0}, counts(joined(woken, room)));
    }

    @Test
    void threadedCountsAndReceipts() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        String root = message(alice, room, "root");
        String inThread = threadReply(bob, room, root, "in thread");
        threadReply(bob, room, root, "in thread again");
        String main = message(bob, room, "main");

        JsonObject all = joined(sync(alice, null, ""), room);
        assertArrayEquals(new long[] {3, 0}, counts(all));
        assertFalse(all.containsKey("unread_thread_notifications"));

        JsonObject split = joined(sync(alice, null, "filter=" + THREADS_FILTER), room);
        assertArrayEquals(new long[] {1, 0}, counts(split));
        JsonObject thread = split.getJsonObject("unread_thread_notifications").getJsonObject(root);
        assertNotNull(thread, split.toString());
        assertEquals(2, thread.getInt("notification_count"));
        assertEquals(0, thread.getInt("highlight_count"));

        // A threaded receipt clears only its thread, and only up to its event.
        receipt(alice, room, "m.read", inThread, root);
        split = joined(sync(alice, null, "filter=" + THREADS_FILTER), room);
        assertArrayEquals(new long[] {1, 0}, counts(split));
        assertEquals(1, split.getJsonObject("unread_thread_notifications").getJsonObject(root).getInt("notification_count"));
        // "main" clears the main timeline only.
        receipt(alice, room, "m.read", main, "main");
        split = joined(sync(alice, null, "filter=" + THREADS_FILTER), room);
        assertArrayEquals(new long[] {0, 0}, counts(split));
        assertTrue(split.getJsonObject("unread_thread_notifications").containsKey(root));
        // An unthreaded receipt clears every thread up to its event.
        receipt(alice, room, "m.read", main, null);
        split = joined(sync(alice, null, "filter=" + THREADS_FILTER), room);
        assertArrayEquals(new long[] {0, 0}, counts(split));
        assertTrue(split.getJsonObject("unread_thread_notifications").isEmpty(), split.toString());
    }

    @Test
    void encryptedEventsNotifyThroughTheEncryptedRules() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        var carol = newUser(server, "carol");
        String room = room(alice, bob);
        send(bob, room, "m.room.encrypted", json("algorithm", "m.megolm.v1.aes-sha2", "ciphertext", "xyz",
                "sender_key", "k", "device_id", "D", "session_id", "s"));
        assertArrayEquals(new long[] {1, 0}, counts(joined(sync(alice, null, ""), room)));
        String group = room(alice, bob, carol);
        send(bob, group, "m.room.encrypted", json("algorithm", "m.megolm.v1.aes-sha2", "ciphertext", "xyz"));
        assertArrayEquals(new long[] {1, 0}, counts(joined(sync(carol, null, ""), group)));
    }

    @Test
    void noticesEditsAndReactionsDoNotCount() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        String original = message(bob, room, "orig");
        send(bob, room, "m.room.message", json("msgtype", "m.notice", "body", "a bot"));
        send(bob, room, "m.room.message", json("msgtype", "m.text", "body", "* edit",
                "m.new_content", json("msgtype", "m.text", "body", "edit"),
                "m.relates_to", json("rel_type", "m.replace", "event_id", original)));
        send(bob, room, "m.reaction", json("m.relates_to", json("rel_type", "m.annotation", "event_id", original,
                "key", "x")));
        assertArrayEquals(new long[] {1, 0}, counts(joined(sync(alice, null, ""), room)));
    }

    @Test
    void aChangedPushRuleAppliesToTheNextEvent() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        message(bob, room, "counted");
        // Mute the room: a room rule with no actions.
        alice.put(V3 + "/pushrules/global/room/" + enc(room), json("actions", Json.arrayBuilder()))
                .assertStatus(200);
        message(bob, room, "muted");
        assertArrayEquals(new long[] {1, 0}, counts(joined(sync(alice, null, ""), room)));
        alice.delete(V3 + "/pushrules/global/room/" + enc(room)).assertStatus(200);
        message(bob, room, "counted again");
        assertArrayEquals(new long[] {2, 0}, counts(joined(sync(alice, null, ""), room)));
    }

    @Test
    void aRedactedMessageNoLongerCounts() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        message(bob, room, "stays");
        String gone = mention(bob, room, alice);
        bob.put(V3 + "/rooms/" + enc(room) + "/redact/" + enc(gone) + "/r" + System.nanoTime(), json())
                .assertStatus(200);
        assertArrayEquals(new long[] {1, 0}, counts(joined(sync(alice, null, ""), room)));
        assertFalse(alice.get(V3 + "/notifications").assertStatus(200).body().contains(gone));
    }

    @Test
    void anInviteNotifiesTheInviteeAndLeavingClearsTheRoom() {
        var alice = newUser(server, "alice");
        var bob = newUser(server, "bob");
        String room = room(alice, bob);
        message(bob, room, "one");
        mention(bob, room, alice);
        alice.post(V3 + "/rooms/" + enc(room) + "/leave", json()).assertStatus(200);
        String other = room(bob);
        bob.post(V3 + "/rooms/" + enc(other) + "/invite", json("user_id", alice.userId())).assertStatus(200);
        JsonObject page = alice.get(V3 + "/notifications").assertStatus(200).json();
        var list = page.getJsonArray("notifications");
        assertEquals(3, list.size(), page.toString());
        assertEquals("m.room.member", list.getJsonObject(0).getJsonObject("event").getString("type"));
        assertFalse(list.getJsonObject(0).getBoolean("read"));
        assertTrue(list.getJsonObject(1).getBoolean("read"), "leaving marks the room's notifications read");
    }
}
