package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationException;
import org.hearth.server.TestServer;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.EventSigning;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Bad input over federation that FederatedChatIT's cases do not reach: A accepts request bodies of 1 MiB (as a
 * production server, whose default is larger still), so a PDU over the spec's 65,536 bytes gets past the request
 * limit and must be refused by the PDU checks themselves, per PDU in /send and as a 400 in send_join; an invite in a
 * room version A does not know is refused with {@code M_INCOMPATIBLE_ROOM_VERSION}. Nothing stored, never a 500.
 */
class FederatedBadInputIT {
    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback().with("limits.max_request_body_bytes", "1048576");

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    @Test
    void aPduOver65536BytesIsRefusedPerPduInSendAndInSendJoin() {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.createPublicRoomJoinedBy(bob);
        RoomId room = RoomId.parse(roomId);
        RoomVersion version = a.server().rooms().reader().version(room).orElseThrow();
        FederationClient fromB = b.server().federation().client();

        // /send: the transaction (about 70 KB) is within A's request limit; the PDU is over the spec's.
        JsonObject template = a.server().rooms().engine().template(room, UserId.parse(bob.userId()),
                org.hearth.core.room.EventDraft.message("m.room.message", TestServer.json("msgtype", "m.text",
                        "body", "x".repeat(70_000))));
        JsonObject huge = EventSigning.hashAndSign(version, template, b.serverName(), b.signingKey());
        String hugeId = EventIds.compute(version, huge);
        JsonObject answer = fromB.put(a.serverName(), "/_matrix/federation/v1/send/huge1", TestServer.json("origin",
                b.serverName(), "origin_server_ts", System.currentTimeMillis(),
                "pdus", jakarta.json.Json.createArrayBuilder().add(huge).build()));
        assertEquals(1, answer.getJsonObject("pdus").size(), answer.toString());
        JsonObject result = answer.getJsonObject("pdus").values().iterator().next().asJsonObject();
        assertTrue(result.getString("error", "").contains("65536"), answer.toString());
        assertTrue(a.server().rooms().reader().event(hugeId).isEmpty(), "an oversized PDU is not stored");

        // send_join: a genuine make_join template with a 70 KB display name, signed by B.
        String carl = "@carl:" + b.serverName();
        JsonObject made = fromB.get(a.serverName(), "/_matrix/federation/v1/make_join/" + enc(roomId) + "/" + enc(carl)
                + "?ver=" + version.id()).getJsonObject("event");
        JsonObject join = EventSigning.hashAndSign(version, Json.objectBuilder(made).add("content", TestServer.json(
                "membership", "join", "displayname", "y".repeat(70_000))).build(), b.serverName(), b.signingKey());
        String joinId = EventIds.compute(version, join);
        FederationException refused = assertThrows(FederationException.class, () -> fromB.put(a.serverName(),
                "/_matrix/federation/v2/send_join/" + enc(roomId) + "/" + enc(joinId), join));
        assertTrue(refused.status() == 400 || refused.status() == 413, refused.status() + " " + refused.getMessage());
        assertTrue(a.server().rooms().reader().event(joinId).isEmpty(), "an oversized join is not stored");
        assertTrue(a.server().rooms().reader().membership(room, UserId.parse(carl)).isEmpty());
    }

    /**
     * A's answer to a body over its limit is sent before the body is read, and A closes: B's write then breaks,
     * yet the 413 is what B sees, every time, and A is not taken for down (the next request goes out at once).
     */
    @Test
    void aBodyOverTheLimitIsAnswered413AndTheDestinationIsNotBackedOff() {
        FederationClient fromB = b.server().federation().client();
        JsonObject tooBig = TestServer.json("origin", b.serverName(), "origin_server_ts", System.currentTimeMillis(),
                "pdus", jakarta.json.Json.createArrayBuilder().build(), "padding", "x".repeat(4 << 20));
        for (int i = 0; i < 5; i++) {
            String txn = "/_matrix/federation/v1/send/big" + i;
            FederationException refused = assertThrows(FederationException.class, () -> fromB.put(a.serverName(),
                    txn, tooBig));
            assertEquals(413, refused.status(), refused.getMessage());
            assertEquals("M_TOO_LARGE", refused.errcode());
        }
        JsonObject version = fromB.get(a.serverName(), "/_matrix/federation/v1/version");
        assertEquals("Hearth", version.getJsonObject("server").getString("name"));
    }

    @Test
    void anInviteInAnUnknownRoomVersionIsRefused() {
        var dora = a.register("dora");
        FederationClient fromB = b.server().federation().client();
        String roomId = "!unknownversion:" + b.serverName();
        JsonObject invite = EventSigning.hashAndSign(RoomVersion.V10, TestServer.json("room_id", roomId,
                "type", "m.room.member", "state_key", dora.userId(), "sender", "@bob:" + b.serverName(),
                "content", TestServer.json("membership", "invite"), "origin_server_ts", System.currentTimeMillis(),
                "depth", 5L, "prev_events", jakarta.json.Json.createArrayBuilder().build(),
                "auth_events", jakarta.json.Json.createArrayBuilder().build()), b.serverName(), b.signingKey());
        String eventId = EventIds.compute(RoomVersion.V10, invite);
        FederationException e = assertThrows(FederationException.class, () -> fromB.put(a.serverName(),
                "/_matrix/federation/v2/invite/" + enc(roomId) + "/" + enc(eventId), TestServer.json(
                        "room_version", "org.example.nonesuch", "event", invite,
                        "invite_room_state", jakarta.json.Json.createArrayBuilder().build())));
        assertEquals(400, e.status());
        assertEquals("M_INCOMPATIBLE_ROOM_VERSION", e.errcode());
        assertTrue(a.server().rooms().reader().event(eventId).isEmpty());
        JsonObject rooms = dora.get("/_matrix/client/v3/sync").assertStatus(200).json().getJsonObject("rooms");
        assertFalse(rooms != null && rooms.toString().contains(roomId), String.valueOf(rooms));

        // The control: the same invite in a version A knows is co-signed.
        JsonObject cosigned = fromB.put(a.serverName(), "/_matrix/federation/v2/invite/" + enc(roomId) + "/"
                + enc(eventId), TestServer.json("room_version", "10", "event", invite,
                "invite_room_state", jakarta.json.Json.createArrayBuilder().build()));
        assertTrue(cosigned.getJsonObject("event").getJsonObject("signatures").containsKey(a.serverName()),
                cosigned.toString());
    }


    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
