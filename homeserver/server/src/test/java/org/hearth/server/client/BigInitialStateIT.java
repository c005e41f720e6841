package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * createRoom with 7,000 initial state events (bench/ federation-join builds its big room so): one transaction
 * writes a state group per event, more than the snapshot cache holds, so each group's parent must be read through
 * that transaction (it failed with "state group N is missing").
 */
class BigInitialStateIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("limits.max_request_body_bytes", "10000000");

    @Test
    void createRoomWithSevenThousandInitialStateEvents() {
        var alice = server.register("bigstate_alice");
        var state = Json.arrayBuilder();
        for (int i = 0; i < 7000; i++) {
            state.add(json("type", "org.example.filler", "state_key", "k" + i, "content", json("i", i)));
        }
        String room = alice.post("/_matrix/client/v3/createRoom", json("preset", "public_chat", "initial_state", state))
                .assertStatus(200).json().getString("room_id");
        String path = "/_matrix/client/v3/rooms/" + URLEncoder.encode(room, StandardCharsets.UTF_8)
                + "/state/org.example.filler/k6999";
        assertEquals(6999, alice.get(path).assertStatus(200).json().getInt("i"));
    }
}
