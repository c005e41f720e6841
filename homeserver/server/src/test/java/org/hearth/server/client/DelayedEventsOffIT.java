package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Delayed events turned off ({@code delayed_events.max_delay_ms: 0}): not advertised, and a delay is refused. */
class DelayedEventsOffIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("delayed_events.max_delay_ms", "0");

    @Test
    void neitherAdvertisedNorAccepted() {
        JsonObject versions = server.client("GET", "/_matrix/client/versions").assertStatus(200).json();
        assertFalse(versions.getJsonObject("unstable_features").containsKey("org.matrix.msc4140"));
        var alice = server.register("alice");
        assertFalse(alice.get("/_matrix/client/v3/capabilities").assertStatus(200).json().getJsonObject("capabilities")
                .containsKey("org.matrix.msc4140.delayed_events"));
        String room = alice.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        JsonObject refused = alice.put("/_matrix/client/v3/rooms/" + DelayedEventsIT.enc(room)
                + "/send/m.room.message/t1?org.matrix.msc4140.delay=1000", json("msgtype", "m.text", "body", "x"))
                .assertError(400, "M_UNKNOWN").json();
        assertEquals("M_MAX_DELAY_UNSUPPORTED", refused.getString("org.matrix.msc4140.errcode"));
        assertTrue(alice.get(DelayedEventsIT.UNSTABLE + "/delayed_events").assertStatus(200).json()
                .getJsonArray("delayed_events").isEmpty());
    }
}
