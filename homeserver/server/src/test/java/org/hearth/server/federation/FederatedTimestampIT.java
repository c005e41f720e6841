package org.hearth.server.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Client {@code /timestamp_to_event} on a server that joined a room late: history from before its join is not in
 * its timeline, so (as Synapse) it asks the room's other servers over federation, checks the event they name and
 * answers with it; a time nobody has an event for stays 404.
 */
class FederatedTimestampIT {
    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback();

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    @Test
    void historyFromBeforeTheJoinIsFoundThroughTheResidentServer() throws Exception {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String roomId = alice.post("/_matrix/client/v3/createRoom", TestServer.json("preset", "public_chat",
                "initial_state", jakarta.json.Json.createArrayBuilder().add(TestServer.json("type",
                        "m.room.history_visibility", "state_key", "", "content", TestServer.json(
                                "history_visibility", "world_readable"))).build()))
                .assertStatus(200).json().getString("room_id");
        String old = alice.put("/_matrix/client/v3/rooms/" + enc(roomId) + "/send/m.room.message/old",
                TestServer.json("msgtype", "m.text", "body", "before bob")).assertStatus(200).json()
                .getString("event_id");
        long oldTs = a.server().rooms().reader().event(old).orElseThrow().pdu().originServerTs();
        Thread.sleep(20);
        long between = System.currentTimeMillis();
        Thread.sleep(20);
        bob.post("/_matrix/client/v3/join/" + enc(roomId) + "?server_name=" + enc(a.serverName()),
                JsonValue.EMPTY_JSON_OBJECT).assertStatus(200);

        // B has nothing at or before `between` in its timeline (the state it got is outliers): A is asked.
        JsonObject found = bob.get("/_matrix/client/v1/rooms/" + enc(roomId) + "/timestamp_to_event?dir=b&ts="
                + between).assertStatus(200).json();
        assertEquals(old, found.getString("event_id"), found.toString());
        assertEquals(oldTs, found.getJsonNumber("origin_server_ts").longValue());
        // Forward from the same time, B's own copy of bob's join answers without asking.
        String join = bob.get("/_matrix/client/v1/rooms/" + enc(roomId) + "/timestamp_to_event?dir=f&ts=" + between)
                .assertStatus(200).json().getString("event_id");
        assertEquals(b.server().rooms().reader().membership(org.hearth.spec.id.RoomId.parse(roomId),
                org.hearth.spec.id.UserId.parse(bob.userId())).orElseThrow().eventId(), join);
        // Before the room existed: neither server has an event.
        bob.get("/_matrix/client/v1/rooms/" + enc(roomId) + "/timestamp_to_event?dir=b&ts=1")
                .assertError(404, "M_NOT_FOUND");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
