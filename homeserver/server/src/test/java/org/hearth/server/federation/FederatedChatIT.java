package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationException;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real Hearth servers on loopback chat in one room: B's user joins A's room through make_join/send_join,
 * events flow both ways through /send transactions and reach each side's /sync; bad PDUs are refused per PDU.
 */
class FederatedChatIT {
    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    @Test
    void usersOfTwoServersChatInOneRoom() {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "name", "federated")).assertStatus(200).json().getString("room_id");
        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/a0",
                TestServer.json("msgtype", "m.text", "body", "before bob")).assertStatus(200);

        bob.post("/_matrix/client/v3/join/" + enc(roomId) + "?server_name=" + enc(a.serverName()),
                JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        // B now has the room with A's state; A has bob's join.
        JsonObject name = bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/state/m.room.name").assertStatus(200)
                .json();
        assertEquals("federated", name.getString("name"));
        awaitInTimeline(alice, roomId, "m.room.member", bob.userId());
        // The state send_join brought is kept on B as outliers: readable as state, never in the timeline.
        var bState = b.server().rooms().reader().currentState(org.hearth.spec.id.RoomId.parse(roomId));
        var create = bState.get(org.hearth.spec.event.StateKey.of("m.room.create", ""));
        var roomName = bState.get(org.hearth.spec.event.StateKey.of("m.room.name", ""));
        assertTrue(create.outlier() && roomName.outlier() && !create.inTimeline());
        bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/event/" + enc(create.eventId()))
                .assertError(404, "M_NOT_FOUND");
        String synced = timeline(bob, roomId).toString();
        assertFalse(synced.contains(create.eventId()) || synced.contains(roomName.eventId()), synced);
        // Paging back past the join backfills A's history (FederatedBackfillIT): placed, no longer outliers.
        String history = bob.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/messages?dir=b&limit=100")
                .assertStatus(200).json().getJsonArray("chunk").toString();
        assertTrue(history.contains(create.eventId()) && history.contains("before bob"), history);
        assertTrue(history.contains("\"" + bob.userId() + "\""), history);
        List<String> members = alice.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/joined_members")
                .assertStatus(200).json().getJsonObject("joined").keySet().stream().sorted().toList();
        assertEquals(List.of(alice.userId(), bob.userId()).stream().sorted().toList(), members);

        alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/a1",
                TestServer.json("msgtype", "m.text", "body", "hello bob")).assertStatus(200);
        awaitInTimeline(bob, roomId, "m.room.message", "hello bob");
        bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/b1",
                TestServer.json("msgtype", "m.text", "body", "hello alice")).assertStatus(200);
        awaitInTimeline(alice, roomId, "m.room.message", "hello alice");
        // A burst keeps its order on the other side.
        for (int i = 0; i < 5; i++) {
            alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/burst" + i,
                    TestServer.json("msgtype", "m.text", "body", "burst " + i)).assertStatus(200);
        }
        awaitInTimeline(bob, roomId, "m.room.message", "burst 4");
        List<String> bodies = timeline(bob, roomId).stream().filter(e -> e.getString("type").equals("m.room.message"))
                .map(e -> e.getJsonObject("content").getString("body")).filter(s -> s.startsWith("burst")).toList();
        assertEquals(List.of("burst 0", "burst 1", "burst 2", "burst 3", "burst 4"), bodies);

        // Typing and read receipts travel as EDUs.
        bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/typing/" + enc(bob.userId()),
                TestServer.json("typing", true, "timeout", 10_000)).assertStatus(200);
        awaitEphemeral(alice, roomId, "m.typing", bob.userId());
        String bobsMessage = timeline(alice, roomId).stream().filter(e -> e.toString().contains("hello alice"))
                .findFirst().orElseThrow().getString("event_id");
        alice.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/receipt/m.read/" + enc(bobsMessage),
                JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        awaitEphemeral(bob, roomId, "m.receipt", alice.userId());
    }

    private static void awaitEphemeral(TestServer.User user, String roomId, String type, String text) {
        long deadline = System.currentTimeMillis() + 15_000;
        String last = "";
        while (System.currentTimeMillis() < deadline) {
            JsonObject sync = user.get("/_matrix/client/v3/sync").assertStatus(200).json();
            JsonObject room = sync.getJsonObject("rooms").getJsonObject("join").getJsonObject(roomId);
            if (room != null && room.getJsonObject("ephemeral") != null) {
                for (JsonObject e : room.getJsonObject("ephemeral").getJsonArray("events").getValuesAs(JsonObject.class)) {
                    last = e.toString();
                    if (type.equals(e.getString("type")) && last.contains(text)) {
                        return;
                    }
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException ex) {
                throw new AssertionError(ex);
            }
        }
        throw new AssertionError(user.userId() + " never got " + type + " of " + text + "; last " + last);
    }

    @Test
    void aRemoteUserIsInvitedSeesTheInviteAndJoins() {
        var alice = a.register("ialice");
        var bob = b.register("ibob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "private_chat",
                "name", "private")).assertStatus(200).json().getString("room_id");
        // Invite-only: bob cannot join uninvited; A's refusal of make_join reaches bob's client.
        bob.post("/_matrix/client/v3/join/" + enc(roomId) + "?server_name=" + enc(a.serverName()),
                JsonValue.EMPTY_JSON_OBJECT).assertError(403, "M_FORBIDDEN");
        alice.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/invite", TestServer.json("user_id", bob.userId()))
                .assertStatus(200);
        JsonObject invite = bob.get("/_matrix/client/v3/sync").assertStatus(200).json().getJsonObject("rooms")
                .getJsonObject("invite").getJsonObject(roomId);
        String state = invite.getJsonObject("invite_state").getJsonArray("events").toString();
        assertTrue(state.contains("\"private\"") && state.contains("\"invite\""), state);
        // The invite in A's room carries B's signature too.
        String inviteId = a.server().rooms().reader().membership(org.hearth.spec.id.RoomId.parse(roomId),
                org.hearth.spec.id.UserId.parse(bob.userId())).orElseThrow().eventId();
        JsonObject signatures = a.server().rooms().reader().event(inviteId).orElseThrow().pdu().json()
                .getJsonObject("signatures");
        assertTrue(signatures.containsKey(a.serverName()) && signatures.containsKey(b.serverName()), signatures.toString());

        bob.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/join?server_name=" + enc(a.serverName()),
                JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);
        awaitInTimeline(alice, roomId, "m.room.member", bob.userId());
        bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/i1",
                TestServer.json("msgtype", "m.text", "body", "thanks for the invite")).assertStatus(200);
        awaitInTimeline(alice, roomId, "m.room.message", "thanks for the invite");
        // Inviting a user of a server that does not exist fails without a trace in the room.
        alice.post("/_matrix/client/v3/rooms/" + enc(roomId) + "/invite", TestServer.json("user_id",
                "@x:unreachable.invalid")).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void tamperedPdusAreRefusedPerPduAndTransactionsAreIdempotent() {
        var alice = a.register("talice");
        var bob = b.register("tbob");
        String roomId = alice.createPublicRoomJoinedBy(bob);
        String sent = bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/t1",
                TestServer.json("msgtype", "m.text", "body", "genuine")).assertStatus(200).json().getString("event_id");
        awaitInTimeline(alice, roomId, "m.room.message", "genuine");
        JsonObject genuine = b.server().rooms().reader().event(sent).orElseThrow().pdu().json();

        // Same event ID claimed, other content and depth: the signature no longer matches.
        JsonObject tampered = Json.objectBuilder(genuine).add("content", TestServer.json("msgtype", "m.text",
                "body", "forged")).add("depth", genuine.getJsonNumber("depth").longValue() + 1).build();
        FederationClient fromB = b.server().federation().client();
        JsonObject txn = TestServer.json("origin", b.serverName(), "origin_server_ts", System.currentTimeMillis(),
                "pdus", jakarta.json.Json.createArrayBuilder().add(tampered).build());
        JsonObject answer = fromB.put(a.serverName(), "/_matrix/federation/v1/send/tampered1", txn);
        JsonObject results = answer.getJsonObject("pdus");
        assertEquals(1, results.size(), answer.toString());
        JsonObject result = results.values().iterator().next().asJsonObject();
        assertTrue(result.containsKey("error"), answer.toString());
        assertFalse(timeline(alice, roomId).stream().anyMatch(e -> e.toString().contains("forged")));

        // The same transaction ID again answers what it answered the first time, whatever the body now says.
        JsonObject again = fromB.put(a.serverName(), "/_matrix/federation/v1/send/tampered1",
                TestServer.json("origin", b.serverName(), "origin_server_ts", System.currentTimeMillis(),
                        "pdus", jakarta.json.Json.createArrayBuilder().build()));
        assertEquals(answer, again);

        // A genuine event sent twice in two transactions is accepted both times and stored once.
        JsonObject ok = fromB.put(a.serverName(), "/_matrix/federation/v1/send/genuine1",
                TestServer.json("origin", b.serverName(), "origin_server_ts", System.currentTimeMillis(),
                        "pdus", jakarta.json.Json.createArrayBuilder().add(genuine).build()));
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, ok.getJsonObject("pdus").getJsonObject(sent), ok.toString());
        assertEquals(1, timeline(alice, roomId).stream().filter(e -> sent.equals(e.getString("event_id"))).count());

        // More than 50 PDUs: refused whole.
        var many = jakarta.json.Json.createArrayBuilder();
        for (int i = 0; i < 51; i++) {
            many.add(genuine);
        }
        FederationException tooMany = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.put(a.serverName(), "/_matrix/federation/v1/send/many", TestServer.json("origin",
                        b.serverName(), "origin_server_ts", 1, "pdus", many.build())));
        assertEquals(400, tooMany.status());
        // No pdus array: M_BAD_JSON.
        assertEquals(400, org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.put(a.serverName(), "/_matrix/federation/v1/send/nopdus", TestServer.json("origin",
                        b.serverName()))).status());
        // Unsigned: 401.
        a.federation("PUT", "/_matrix/federation/v1/send/x").assertError(401, "M_UNAUTHORIZED");
    }

    @Test
    void aPduFailingAuthIsStoredRejectedAndNeverReachesClients() {
        var alice = a.register("ralice");
        var bob = b.register("rbob");
        String roomId = alice.createPublicRoomJoinedBy(bob);
        awaitInTimeline(alice, roomId, "m.room.member", bob.userId());
        var room = org.hearth.spec.id.RoomId.parse(roomId);
        var version = a.server().rooms().reader().version(room).orElseThrow();
        // Bob (power level 0) makes himself an admin: his server signs it, the room's auth rules refuse it.
        JsonObject template = a.server().rooms().engine().template(room, org.hearth.spec.id.UserId.parse(bob.userId()),
                org.hearth.core.room.EventDraft.message("m.room.message", TestServer.json("msgtype", "m.text", "body", "x")));
        JsonObject forged = Json.objectBuilder(template).add("type", "m.room.power_levels").add("state_key", "")
                .add("content", TestServer.json("users", TestServer.json(bob.userId(), 100))).build();
        JsonObject signed = org.hearth.spec.event.EventSigning.hashAndSign(version, forged, b.serverName(), b.signingKey());
        String eventId = org.hearth.spec.event.EventIds.compute(version, signed);
        FederationClient fromB = b.server().federation().client();
        JsonObject txn = TestServer.json("origin", b.serverName(), "origin_server_ts", System.currentTimeMillis(),
                "pdus", jakarta.json.Json.createArrayBuilder().add(signed).build());
        JsonObject answer = fromB.put(a.serverName(), "/_matrix/federation/v1/send/rejected1", txn);
        assertTrue(answer.getJsonObject("pdus").getJsonObject(eventId).containsKey("error"), answer.toString());

        var stored = a.server().rooms().reader().event(eventId).orElseThrow();
        assertTrue(stored.rejected() && !stored.inTimeline(), stored.toString());
        assertTrue(stored.rejectedReason().contains("rejected by"), stored.rejectedReason());
        // Not in the state, the timeline or the event endpoints.
        assertFalse(alice.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/state/m.room.power_levels/")
                .assertStatus(200).json().toString().contains(bob.userId()));
        alice.get("/_matrix/client/v3/rooms/" + enc(roomId) + "/event/" + enc(eventId)).assertError(404, "M_NOT_FOUND");
        assertFalse(timeline(alice, roomId).stream().anyMatch(e -> eventId.equals(e.getString("event_id"))));
        FederationException unserved = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.get(a.serverName(), "/_matrix/federation/v1/event/" + enc(eventId)));
        assertEquals(404, unserved.status());
        // Sent again in another transaction: refused again from what is stored, still one row.
        JsonObject again = fromB.put(a.serverName(), "/_matrix/federation/v1/send/rejected2", txn);
        assertTrue(again.getJsonObject("pdus").getJsonObject(eventId).containsKey("error"), again.toString());
        assertEquals(stored.streamOrdering(), a.server().rooms().reader().event(eventId).orElseThrow().streamOrdering());
        // The room goes on: bob's next message is accepted on top of it.
        bob.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/r1",
                TestServer.json("msgtype", "m.text", "body", "after the rejected one")).assertStatus(200);
        awaitInTimeline(alice, roomId, "m.room.message", "after the rejected one");
    }

    /**
     * Bad input over /send, each case beside a control that is accepted: a content hash that does not match (the
     * event is kept redacted, spec step 3), a sender of another server than the signer (dropped: the sender's server
     * did not sign it), a body over the request limit (413), a PDU for a room not known here (dropped), over 100 EDUs
     * (400, nothing processed), and a transaction whose body claims another origin than its X-Matrix header (the
     * header's origin counts: an EDU for a user of the claimed server is ignored). None persisted as accepted.
     */
    @Test
    void badPdusAndForgedOriginsOverSendAreRefusedAndNothingIsAccepted() {
        var alice = a.register("balice");
        var bob = b.register("bbob");
        String roomId = alice.createPublicRoomJoinedBy(bob);
        awaitInTimeline(alice, roomId, "m.room.member", bob.userId());
        var room = org.hearth.spec.id.RoomId.parse(roomId);
        var version = a.server().rooms().reader().version(room).orElseThrow();
        var reader = a.server().rooms().reader();
        FederationClient fromB = b.server().federation().client();
        java.util.function.BiFunction<String, JsonObject, JsonObject> signedAs = (sender, content) -> {
            JsonObject template = a.server().rooms().engine().template(room, org.hearth.spec.id.UserId.parse(bob.userId()),
                    org.hearth.core.room.EventDraft.message("m.room.message", content));
            return org.hearth.spec.event.EventSigning.hashAndSign(version,
                    Json.objectBuilder(template).add("sender", sender).build(), b.serverName(), b.signingKey());
        };
        java.util.function.Function<JsonObject, JsonObject> send = pdu -> fromB.put(a.serverName(),
                "/_matrix/federation/v1/send/bad" + System.nanoTime(), TestServer.json("origin", b.serverName(),
                        "origin_server_ts", System.currentTimeMillis(),
                        "pdus", jakarta.json.Json.createArrayBuilder().add(pdu).build()));

        // Content changed after signing: the signature (over the redacted form) holds, the hash does not.
        JsonObject signed = signedAs.apply(bob.userId(), TestServer.json("msgtype", "m.text", "body", "as signed"));
        String hashedId = org.hearth.spec.event.EventIds.compute(version, signed);
        JsonObject altered = Json.objectBuilder(signed).add("content", TestServer.json("msgtype", "m.text",
                "body", "altered in transit")).build();
        JsonObject answer = send.apply(altered);
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, answer.getJsonObject("pdus").getJsonObject(hashedId), answer.toString());
        var kept = reader.event(hashedId).orElseThrow();
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, kept.pdu().content(), kept.pdu().json().toString());
        assertFalse(timeline(alice, roomId).stream().anyMatch(e -> e.toString().contains("altered in transit")));

        // Bob's server signs an event whose sender is alice (of server A): A's signature is missing.
        JsonObject forged = signedAs.apply(alice.userId(), TestServer.json("msgtype", "m.text", "body", "not alice"));
        String forgedId = org.hearth.spec.event.EventIds.compute(version, forged);
        answer = send.apply(forged);
        assertTrue(answer.getJsonObject("pdus").getJsonObject(forgedId).containsKey("error"), answer.toString());
        assertTrue(reader.event(forgedId).isEmpty());

        // A PDU over 65,536 bytes: its transaction is over the request limit (here 64 KiB), refused before reading.
        JsonObject huge = signedAs.apply(bob.userId(), TestServer.json("msgtype", "m.text", "body", "x".repeat(70_000)));
        String hugeId = org.hearth.spec.event.EventIds.compute(version, huge);
        FederationException tooLarge = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> send.apply(huge));
        assertEquals(413, tooLarge.status());
        assertEquals("M_TOO_LARGE", tooLarge.errcode());
        assertTrue(reader.event(hugeId).isEmpty());

        // A room (so a room version) this server does not know: refused, not stored.
        JsonObject elsewhere = org.hearth.spec.event.EventSigning.hashAndSign(version, Json.objectBuilder(
                signedAs.apply(bob.userId(), TestServer.json("msgtype", "m.text", "body", "elsewhere")))
                .add("room_id", "!unknown:" + b.serverName()).remove("signatures").remove("hashes").build(),
                b.serverName(), b.signingKey());
        String elsewhereId = org.hearth.spec.event.EventIds.compute(version, elsewhere);
        answer = send.apply(elsewhere);
        assertEquals(1, answer.getJsonObject("pdus").size(), answer.toString());
        assertTrue(answer.getJsonObject("pdus").values().iterator().next().asJsonObject().containsKey("error"),
                answer.toString());
        assertTrue(reader.event(elsewhereId).isEmpty());

        // 101 EDUs: the whole transaction is refused, none processed.
        var edus = jakarta.json.Json.createArrayBuilder();
        for (int i = 0; i < 101; i++) {
            edus.add(TestServer.json("edu_type", "m.typing", "content", TestServer.json("room_id", roomId,
                    "user_id", bob.userId(), "typing", true)));
        }
        FederationException tooMany = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.put(a.serverName(), "/_matrix/federation/v1/send/edus101", TestServer.json("origin",
                        b.serverName(), "origin_server_ts", 1, "pdus", jakarta.json.Json.createArrayBuilder().build(),
                        "edus", edus.build())));
        assertEquals(400, tooMany.status());
        assertEquals("M_BAD_JSON", tooMany.errcode());

        // The body claims to come from A; the X-Matrix header says B. Alice's typing (a user of A) is ignored,
        // bob's (a user of B, the authenticated origin) is taken.
        JsonObject claimed = TestServer.json("origin", a.serverName(), "origin_server_ts", System.currentTimeMillis(),
                "pdus", jakarta.json.Json.createArrayBuilder().build(), "edus", jakarta.json.Json.createArrayBuilder()
                        .add(TestServer.json("edu_type", "m.typing", "content", TestServer.json("room_id", roomId,
                                "user_id", alice.userId(), "typing", true)))
                        .add(TestServer.json("edu_type", "m.typing", "content", TestServer.json("room_id", roomId,
                                "user_id", bob.userId(), "typing", true))).build());
        fromB.put(a.serverName(), "/_matrix/federation/v1/send/claimed", claimed);
        awaitEphemeral(alice, roomId, "m.typing", bob.userId());
        JsonObject sync = alice.get("/_matrix/client/v3/sync").assertStatus(200).json();
        String typing = sync.getJsonObject("rooms").getJsonObject("join").getJsonObject(roomId)
                .getJsonObject("ephemeral").toString();
        assertTrue(typing.contains(bob.userId()) && !typing.contains(alice.userId()), typing);

        // The control: a genuine event of bob's, sent the same way, is accepted.
        JsonObject genuine = signedAs.apply(bob.userId(), TestServer.json("msgtype", "m.text", "body", "genuine one"));
        answer = send.apply(genuine);
        assertEquals(JsonValue.EMPTY_JSON_OBJECT, answer.getJsonObject("pdus")
                .getJsonObject(org.hearth.spec.event.EventIds.compute(version, genuine)), answer.toString());
        awaitInTimeline(alice, roomId, "m.room.message", "genuine one");
    }


    @Test
    void makeJoinErrors() {
        var alice = a.register("malice");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat"))
                .assertStatus(200).json().getString("room_id");
        String version = a.server().rooms().reader().version(org.hearth.spec.id.RoomId.parse(roomId)).orElseThrow().id();
        FederationClient fromB = b.server().federation().client();
        String base = "/_matrix/federation/v1/make_join/" + enc(roomId) + "/";
        JsonObject made = fromB.get(a.serverName(), base + enc("@x:" + b.serverName()) + "?ver=" + version);
        assertEquals(version, made.getString("room_version"));
        assertEquals("join", made.getJsonObject("event").getJsonObject("content").getString("membership"));
        FederationException e = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.get(a.serverName(), base + enc("@x:" + b.serverName()) + "?ver=nonesuch"));
        assertEquals(400, e.status());
        assertEquals("M_INCOMPATIBLE_ROOM_VERSION", e.errcode());
        e = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.get(a.serverName(), base + enc("@x:" + a.serverName()) + "?ver=" + version));
        assertEquals(403, e.status());
        e = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.get(a.serverName(), "/_matrix/federation/v1/make_join/" + enc("!nope:" + a.serverName())
                        + "/" + enc("@x:" + b.serverName()) + "?ver=" + version));
        assertEquals(404, e.status());
        // A join event that is not the sender's own join.
        e = org.junit.jupiter.api.Assertions.assertThrows(FederationException.class,
                () -> fromB.put(a.serverName(), "/_matrix/federation/v2/send_join/" + enc(roomId) + "/" + enc("$x"),
                        TestServer.json("type", "m.room.message")));
        assertEquals(400, e.status());
        // Joining a room nobody can be asked about fails cleanly.
        var bob = b.register("mbob");
        bob.post("/_matrix/client/v3/join/" + enc("!nope:" + a.serverName()), JsonValue.EMPTY_JSON_OBJECT)
                .assertError(404, "M_NOT_FOUND");
    }

    private static List<JsonObject> timeline(TestServer.User user, String roomId) {
        JsonObject sync = user.get("/_matrix/client/v3/sync?filter=" + enc("{\"room\":{\"timeline\":{\"limit\":50}}}"))
                .assertStatus(200).json();
        JsonObject rooms = sync.getJsonObject("rooms");
        if (rooms == null || rooms.getJsonObject("join") == null || rooms.getJsonObject("join").getJsonObject(roomId) == null) {
            return List.of();
        }
        return rooms.getJsonObject("join").getJsonObject(roomId).getJsonObject("timeline").getJsonArray("events")
                .getValuesAs(JsonObject.class);
    }

    /** Waits (up to 15 s) until {@code user}'s /sync shows an event of {@code type} mentioning {@code text}. */
    private static void awaitInTimeline(TestServer.User user, String roomId, String type, String text) {
        long deadline = System.currentTimeMillis() + 15_000;
        while (System.currentTimeMillis() < deadline) {
            for (JsonObject e : timeline(user, roomId)) {
                if (type.equals(e.getString("type")) && e.toString().contains(text)) {
                    return;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException ex) {
                throw new AssertionError(ex);
            }
        }
        throw new AssertionError(user.userId() + " never saw " + type + " " + text + " in " + timeline(user, roomId));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
