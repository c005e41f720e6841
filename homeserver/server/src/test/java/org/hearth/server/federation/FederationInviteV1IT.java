package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.core.room.EventDraft;
import org.hearth.federation.client.FederationClient;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.event.EventSigning;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deprecated {@code PUT /_matrix/federation/v1/invite}, which old servers still use for rooms of version 1 and 2:
 * the event itself as the body, the answer a {@code [200, {"event": ...}]} array, the invite co-signed and shown to
 * the invited user.
 */
class FederationInviteV1IT {
    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    @Test
    void aVersionOneInviteIsCoSignedAndReachesTheInvitedUser() throws Exception {
        var alice = a.register("v1alice");
        var bob = b.register("v1bob");
        String roomId = bob.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "private_chat",
                "room_version", "1", "name", "old room")).assertStatus(200).json().getString("room_id");
        RoomVersion v1 = RoomVersion.find("1").orElseThrow();
        JsonObject template = b.server().rooms().engine().template(RoomId.parse(roomId), UserId.parse(bob.userId()),
                EventDraft.state("m.room.member", alice.userId(), TestServer.json("membership", "invite")));
        String eventId = "$v1invite:" + b.serverName();
        JsonObject invite = EventSigning.hashAndSign(v1, Json.objectBuilder(template).add("event_id", eventId)
                .add("unsigned", TestServer.json("invite_room_state", jakarta.json.Json.createArrayBuilder()
                        .add(TestServer.json("type", "m.room.name", "state_key", "", "sender", bob.userId(),
                                "content", TestServer.json("name", "old room"))).build()))
                .build(), b.serverName(), b.signingKey());

        FederationClient fromB = b.server().federation().client();
        String path = "/_matrix/federation/v1/invite/" + enc(roomId) + "/" + enc(eventId);
        var answer = fromB.requestRaw("PUT", a.serverName(), path, invite, 1 << 20, null);
        assertEquals(200, answer.status(), new String(answer.body(), StandardCharsets.UTF_8));
        JsonArray pair = Json.parse(new String(answer.body(), StandardCharsets.UTF_8)).asJsonArray();
        assertEquals(200, pair.getInt(0));
        JsonObject signatures = pair.getJsonObject(1).getJsonObject("event").getJsonObject("signatures");
        assertTrue(signatures.containsKey(a.serverName()) && signatures.containsKey(b.serverName()), signatures.toString());

        JsonObject invited = TestServer.eventually(() -> {
            JsonObject rooms = alice.get("/_matrix/client/v3/sync").assertStatus(200).json().getJsonObject("rooms");
            return rooms != null && rooms.getJsonObject("invite") != null
                    ? rooms.getJsonObject("invite").getJsonObject(roomId) : null;
        });
        assertTrue(invited.toString().contains("old room"), invited.toString());

        // An invite for a user of another server is refused, as by v2.
        JsonObject notOurs = EventSigning.hashAndSign(v1, Json.objectBuilder(b.server().rooms().engine().template(
                        RoomId.parse(roomId), UserId.parse(bob.userId()), EventDraft.state("m.room.member",
                                "@someone:" + b.serverName(), TestServer.json("membership", "invite"))))
                .add("event_id", "$v1other:" + b.serverName()).build(), b.serverName(), b.signingKey());
        var refused = fromB.requestRaw("PUT", a.serverName(), "/_matrix/federation/v1/invite/" + enc(roomId) + "/"
                + enc("$v1other:" + b.serverName()), notOurs, 1 << 20, null);
        assertEquals(403, refused.status(), new String(refused.body(), StandardCharsets.UTF_8));
    }


    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
