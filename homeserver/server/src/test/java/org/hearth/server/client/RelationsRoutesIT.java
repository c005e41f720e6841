package org.hearth.server.client;

import static org.hearth.server.client.RoomsHarness.enc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Relations (/relations), threads (/threads) and bundled aggregations over HTTP and MariaDB. */
class RelationsRoutesIT {
    @RegisterExtension
    static final RoomsHarness server = new RoomsHarness();
    private static final AtomicInteger TXN = new AtomicInteger();
    private static final String V1 = "/_matrix/client/v1";

    static String send(RoomsHarness.Client c, String room, String type, String json) {
        return c.put("/rooms/" + enc(room) + "/send/" + type + "/x" + TXN.incrementAndGet(), json)
                .ok().json().getString("event_id");
    }

    static String edit(RoomsHarness.Client c, String room, String original, String body) {
        return send(c, room, "m.room.message", """
                {"msgtype":"m.text","body":"* %s","m.new_content":{"msgtype":"m.text","body":"%s"},
                 "m.relates_to":{"rel_type":"m.replace","event_id":"%s"}}""".formatted(body, body, original));
    }

    static String react(RoomsHarness.Client c, String room, String target, String key) {
        return send(c, room, "m.reaction", """
                {"m.relates_to":{"rel_type":"m.annotation","event_id":"%s","key":"%s"}}""".formatted(target, key));
    }

    static String threadReply(RoomsHarness.Client c, String room, String root, String body) {
        return send(c, room, "m.room.message", """
                {"msgtype":"m.text","body":"%s","m.relates_to":{"rel_type":"m.thread","event_id":"%s"}}"""
                .formatted(body, root));
    }

    private static String sharedRoom(RoomsHarness.Client alice, RoomsHarness.Client bob) {
        String room = alice.createRoom("{\"preset\":\"public_chat\"}");
        bob.post("/rooms/" + enc(room) + "/join", "{}").ok();
        return room;
    }

    private static List<String> ids(JsonObject page) {
        return page.getJsonArray("chunk").stream().map(v -> v.asJsonObject().getString("event_id")).toList();
    }

    private static String relations(String room, String event) {
        return V1 + "/rooms/" + enc(room) + "/relations/" + enc(event);
    }

    @Test
    void editsReactionsAndThreadRepliesAreListedAndPaginatedWithoutGapOrDuplicate() {
        var alice = server.user("rel-alice");
        var bob = server.user("rel-bob");
        String room = sharedRoom(alice, bob);
        String root = alice.sendText(room, "original");
        List<String> children = new ArrayList<>();
        children.add(edit(alice, room, root, "first edit"));
        children.add(react(bob, room, root, "👍"));
        children.add(threadReply(bob, room, root, "in a thread"));
        children.add(react(alice, room, root, "👍"));
        children.add(edit(alice, room, root, "second edit"));
        children.add(threadReply(alice, room, root, "another"));
        alice.sendText(room, "unrelated");

        // Backwards (the default), two at a time: newest first, every child once.
        List<String> seen = new ArrayList<>();
        String from = null;
        int pages = 0;
        do {
            JsonObject page = bob.get(relations(room, root) + "?limit=2" + (from == null ? "" : "&from=" + from))
                    .ok().json();
            seen.addAll(ids(page));
            assertFalse(page.containsKey("recursion_depth"), "absent without recurse");
            from = page.containsKey("next_batch") ? page.getString("next_batch") : null;
            pages++;
        } while (from != null && pages < 10);
        assertEquals(children.reversed(), seen);

        // Forwards: oldest first.
        JsonObject forward = bob.get(relations(room, root) + "?dir=f&limit=10").ok().json();
        assertEquals(children, ids(forward));
        assertFalse(forward.containsKey("next_batch"));

        // By relation type, and by relation type and event type.
        assertEquals(List.of(children.get(3), children.get(1)),
                ids(bob.get(relations(room, root) + "/m.annotation").ok().json()));
        assertEquals(List.of(children.get(4), children.get(0)),
                ids(bob.get(relations(room, root) + "/m.replace/m.room.message").ok().json()));
        assertEquals(List.of(), ids(bob.get(relations(room, root) + "/m.replace/m.reaction").ok().json()));
        // Events come in client format.
        JsonObject first = bob.get(relations(room, root) + "/m.thread?limit=1").ok().json()
                .getJsonArray("chunk").getJsonObject(0);
        assertEquals(room, first.getString("room_id"));
        assertFalse(first.containsKey("hashes"));
        assertFalse(first.containsKey("prev_events"));
    }

    @Test
    void recurseFollowsRelationsOfRelations() {
        var alice = server.user("rec-alice");
        String room = alice.createRoom("{}");
        String root = alice.sendText(room, "root");
        String reply = threadReply(alice, room, root, "reply");
        String reaction = react(alice, room, reply, "🎉");
        String editOfReply = edit(alice, room, reply, "reply edited");

        JsonObject direct = alice.get(relations(room, root) + "?recurse=false").ok().json();
        assertEquals(List.of(reply), ids(direct));
        assertEquals(1, direct.getInt("recursion_depth"));
        JsonObject deep = alice.get(relations(room, root) + "?recurse=true&dir=f").ok().json();
        assertEquals(List.of(reply, reaction, editOfReply), ids(deep));
        assertEquals(3, deep.getInt("recursion_depth"));
        JsonObject onlyReactions = alice.get(relations(room, root) + "/m.annotation?recurse=true").ok().json();
        assertEquals(List.of(reaction), ids(onlyReactions));
        // Paged too.
        JsonObject page = alice.get(relations(room, root) + "?recurse=true&limit=2").ok().json();
        assertEquals(List.of(editOfReply, reaction), ids(page));
        JsonObject rest = alice.get(relations(room, root) + "?recurse=true&limit=2&from=" + page.getString("next_batch"))
                .ok().json();
        assertEquals(List.of(reply), ids(rest));
        assertFalse(rest.containsKey("next_batch"));
    }

    @Test
    void badRequestsAndInvisibleParentsAreRefused() {
        var alice = server.user("bad-alice");
        var mallory = server.user("bad-mallory");
        String room = alice.createRoom("{}");
        String root = alice.sendText(room, "secret");
        react(alice, room, root, "x");
        // Not a member of a private room: the parent is not found for them.
        mallory.get(relations(room, root)).assertError(404, "M_NOT_FOUND");
        mallory.get(V1 + "/rooms/" + enc(room) + "/threads").assertError(403, "M_FORBIDDEN");
        alice.get(relations(room, "$nope")).assertError(404, "M_NOT_FOUND");
        alice.get(relations("!nope:test.example", root)).assertError(404, "M_NOT_FOUND");
        alice.get(relations(room, root) + "?dir=x").assertError(400, "M_INVALID_PARAM");
        alice.get(relations(room, root) + "?limit=-1").assertError(400, "M_INVALID_PARAM");
        alice.get(relations(room, root) + "?limit=abc").assertError(400, "M_INVALID_PARAM");
        alice.get(relations(room, root) + "?recurse=maybe").assertError(400, "M_INVALID_PARAM");
        alice.get(relations(room, root) + "?from=garbage").assertError(400, "M_INVALID_PARAM");
        alice.get(V1 + "/rooms/" + enc(room) + "/threads?include=mine").assertError(400, "M_INVALID_PARAM");
        alice.get(V1 + "/rooms/" + enc(room) + "/threads?limit=0").assertError(400, "M_INVALID_PARAM");
        alice.post(relations(room, root), "{}").assertError(405, "M_UNRECOGNIZED");
    }

    @Test
    void malformedRelationsAreIgnoredAndCrossRoomOnesAndKeylessAnnotationsRefused() {
        var alice = server.user("mal-alice");
        String room = alice.createRoom("{}");
        String other = alice.createRoom("{}");
        String root = alice.sendText(room, "root");
        // Spec: relationships that break the schema or the rules are ignored, not refused.
        send(alice, room, "m.room.message", """
                {"msgtype":"m.text","body":"b","m.relates_to":{"rel_type":7,"event_id":"%s"}}""".formatted(root));
        send(alice, room, "m.room.message", """
                {"msgtype":"m.text","body":"b","m.relates_to":{"m.in_reply_to":{"event_id":"%s"}}}""".formatted(root));
        send(alice, room, "m.room.message", """
                {"msgtype":"m.text","body":"* no new content","m.relates_to":{"rel_type":"m.replace","event_id":"%s"}}"""
                .formatted(root));
        // As Synapse: 400 M_UNKNOWN and nothing stored for an annotation without a key or with a huge one, and for
        // a relation to an event of another room (spec: "so long as both events are in the same room").
        List<String> refused = List.of(
                "m.reaction", """
                {"m.relates_to":{"rel_type":"m.annotation","event_id":"%s"}}""".formatted(root),
                "m.reaction", """
                {"m.relates_to":{"rel_type":"m.annotation","event_id":"%s","key":"%s"}}"""
                        .formatted(root, "k".repeat(501)));
        for (int i = 0; i < refused.size(); i += 2) {
            alice.put("/rooms/" + enc(room) + "/send/" + refused.get(i) + "/mal" + TXN.incrementAndGet(),
                    refused.get(i + 1)).assertError(400, "M_UNKNOWN");
        }
        for (String relType : List.of("m.thread", "m.annotation", "m.replace", "m.reference")) {
            alice.put("/rooms/" + enc(other) + "/send/m.room.message/mal" + TXN.incrementAndGet(), """
                    {"msgtype":"m.text","body":"from another room","m.new_content":{"msgtype":"m.text","body":"x"},
                     "m.relates_to":{"rel_type":"%s","event_id":"%s","key":"x"}}""".formatted(relType, root))
                    .assertError(400, "M_UNKNOWN");
        }
        assertEquals(List.of(), ids(alice.get(relations(room, root)).ok().json()));
        String messages = alice.get("/rooms/" + enc(other) + "/messages?dir=b&limit=100").ok().body();
        assertFalse(messages.contains("from another room"), messages);
        assertFalse(alice.get("/rooms/" + enc(room) + "/messages?dir=b&limit=100").ok().body().contains("kkkk"));
    }

    @Test
    void aThreadOffAnEventWithARelationIsRefused() {
        var alice = server.user("nest-alice");
        String room = alice.createRoom("{}");
        String root = alice.sendText(room, "root");
        String reply = threadReply(alice, room, root, "in the thread");
        String edit = edit(alice, room, root, "root, edited");
        // Spec, "Validation of m.thread relationships": 400 with M_UNKNOWN, nothing stored.
        for (String parent : List.of(reply, edit)) {
            alice.put("/rooms/" + enc(room) + "/send/m.room.message/nest" + TXN.incrementAndGet(), """
                    {"msgtype":"m.text","body":"nested","m.relates_to":{"rel_type":"m.thread","event_id":"%s"}}"""
                    .formatted(parent)).assertError(400, "M_UNKNOWN");
            assertEquals(List.of(), ids(alice.get(relations(room, parent) + "/m.thread").ok().json()));
        }
        // Replies to the root itself are still fine.
        threadReply(alice, room, root, "another reply");
        assertEquals(2, ids(alice.get(relations(room, root) + "/m.thread").ok().json()).size());
    }

    @Test
    void aSecondIdenticalAnnotationIsRefusedButARetryIsNot() {
        var alice = server.user("dup-alice");
        String room = alice.createRoom("{}");
        String root = alice.sendText(room, "root");
        String body = "{\"m.relates_to\":{\"rel_type\":\"m.annotation\",\"event_id\":\"" + root + "\",\"key\":\"👍\"}}";
        String path = "/rooms/" + enc(room) + "/send/m.reaction/dup1";
        String first = alice.put(path, body).ok().json().getString("event_id");
        assertEquals(first, alice.put(path, body).ok().json().getString("event_id"), "a retry is idempotent");
        alice.put("/rooms/" + enc(room) + "/send/m.reaction/dup2", body).assertError(400, "M_DUPLICATE_ANNOTATION");
        react(alice, room, root, "👎");
        // Once the first is redacted, the same annotation may be sent again.
        alice.put("/rooms/" + enc(room) + "/redact/" + enc(first) + "/r1", "{}").ok();
        alice.put("/rooms/" + enc(room) + "/send/m.reaction/dup3", body).ok();
        assertEquals(2, ids(alice.get(relations(room, root) + "/m.annotation").ok().json()).size());
    }

    @Test
    void bundledAggregationsInMessagesContextAndEvent() {
        var alice = server.user("agg-alice");
        var bob = server.user("agg-bob");
        String room = sharedRoom(alice, bob);
        String root = alice.sendText(room, "original");
        edit(alice, room, root, "edit one");
        String latestEdit = edit(alice, room, root, "edit two");
        edit(bob, room, root, "bob may not edit alice"); // ignored: another sender
        threadReply(bob, room, root, "t1");
        String lastInThread = threadReply(bob, room, root, "t2");
        String ref = send(bob, room, "m.room.message", """
                {"msgtype":"m.text","body":"see","m.relates_to":{"rel_type":"m.reference","event_id":"%s"}}"""
                .formatted(root));
        react(bob, room, root, "👍"); // annotations are not aggregated

        JsonObject viaEvent = alice.get("/rooms/" + enc(room) + "/event/" + enc(root)).ok().json();
        JsonObject rel = viaEvent.getJsonObject("unsigned").getJsonObject("m.relations");
        assertEquals(latestEdit, rel.getJsonObject("m.replace").getString("event_id"));
        assertEquals("@agg-alice:test.example", rel.getJsonObject("m.replace").getString("sender"));
        assertTrue(rel.getJsonObject("m.replace").containsKey("origin_server_ts"));
        // The original content is left as it was.
        assertEquals("original", viaEvent.getJsonObject("content").getString("body"));
        JsonObject thread = rel.getJsonObject("m.thread");
        assertEquals(2, thread.getInt("count"));
        assertEquals(lastInThread, thread.getJsonObject("latest_event").getString("event_id"));
        assertTrue(thread.getBoolean("current_user_participated"), "alice sent the root");
        assertEquals(List.of(ref), rel.getJsonObject("m.reference").getJsonArray("chunk").stream()
                .map(v -> v.asJsonObject().getString("event_id")).toList());
        assertFalse(rel.containsKey("m.annotation"));

        var carol = server.user("agg-carol");
        carol.post("/rooms/" + enc(room) + "/join", "{}").ok();
        JsonObject messages = carol.get("/rooms/" + enc(room) + "/messages?dir=b&limit=50").ok().json();
        JsonObject rootInMessages = messages.getJsonArray("chunk").stream().map(JsonValue::asJsonObject)
                .filter(e -> e.getString("event_id").equals(root)).findFirst().orElseThrow();
        JsonObject carolsView = rootInMessages.getJsonObject("unsigned").getJsonObject("m.relations");
        assertFalse(carolsView.getJsonObject("m.thread").getBoolean("current_user_participated"));
        assertEquals(latestEdit, carolsView.getJsonObject("m.replace").getString("event_id"));

        JsonObject context = bob.get("/rooms/" + enc(room) + "/context/" + enc(root)).ok().json();
        assertEquals(latestEdit, context.getJsonObject("event").getJsonObject("unsigned")
                .getJsonObject("m.relations").getJsonObject("m.replace").getString("event_id"));

        // Redacting the latest edit falls back to the one before; redacting the original drops m.replace.
        alice.put("/rooms/" + enc(room) + "/redact/" + enc(latestEdit) + "/r1", "{}").ok();
        JsonObject afterRedaction = alice.get("/rooms/" + enc(room) + "/event/" + enc(root)).ok().json();
        String previous = afterRedaction.getJsonObject("unsigned").getJsonObject("m.relations")
                .getJsonObject("m.replace").getString("event_id");
        assertFalse(previous.equals(latestEdit));
        assertFalse(ids(alice.get(relations(room, root) + "/m.replace").ok().json()).contains(latestEdit));
        alice.put("/rooms/" + enc(room) + "/redact/" + enc(root) + "/r2", "{}").ok();
        JsonObject redacted = alice.get("/rooms/" + enc(room) + "/event/" + enc(root)).ok().json();
        JsonObject relationsOfRedacted = redacted.getJsonObject("unsigned").getJsonObject("m.relations");
        assertNull(relationsOfRedacted == null ? null : relationsOfRedacted.get("m.replace"));
    }

    @Test
    void threadsAreListedByLatestActivityWithParticipationAndPagination() {
        var alice = server.user("thr-alice");
        var bob = server.user("thr-bob");
        String room = sharedRoom(alice, bob);
        String rootA = alice.sendText(room, "topic A");
        String rootB = alice.sendText(room, "topic B");
        String rootC = bob.sendText(room, "topic C");
        threadReply(alice, room, rootA, "a1");
        threadReply(bob, room, rootB, "b1");
        threadReply(alice, room, rootC, "c1");
        threadReply(alice, room, rootA, "a2"); // A is now the most recently active
        String threads = V1 + "/rooms/" + enc(room) + "/threads";

        JsonObject all = bob.get(threads).ok().json();
        assertEquals(List.of(rootA, rootC, rootB), ids(all));
        JsonObject a = all.getJsonArray("chunk").getJsonObject(0);
        assertEquals(2, a.getJsonObject("unsigned").getJsonObject("m.relations").getJsonObject("m.thread").getInt("count"));
        // Bob started C and replied in B.
        assertEquals(List.of(rootC, rootB), ids(bob.get(threads + "?include=participated").ok().json()));

        List<String> paged = new ArrayList<>();
        String from = null;
        int pages = 0;
        do {
            JsonObject page = bob.get(threads + "?limit=1" + (from == null ? "" : "&from=" + from)).ok().json();
            paged.addAll(ids(page));
            from = page.containsKey("next_batch") ? page.getString("next_batch") : null;
        } while (from != null && ++pages < 10);
        assertEquals(List.of(rootA, rootC, rootB), paged);
        assertEquals(3, new HashSet<>(paged).size());
    }
}
