package org.hearth.server.client;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The V9 schema and the search and aggregation SQL on the embedded MariaDB (11.4), not only on the external one
 * (10.11): FULLTEXT without stopwords, COUNT(*) OVER (), GROUP_CONCAT in a UNION.
 */
class EmbeddedSearchIT {
    @RegisterExtension
    static final TestServer server = TestServer.withEmbeddedDatabase();
    private static final String V3 = "/_matrix/client/v3";

    @Test
    void searchAndThreadAggregationsWork() {
        var alice = server.register("embsearch");
        String room = alice.post(V3 + "/createRoom", json("name", "E")).assertStatus(200).json().getString("room_id");
        String path = V3 + "/rooms/" + URLEncoder.encode(room, StandardCharsets.UTF_8) + "/send/m.room.message/";
        String hit = alice.put(path + "1", json("msgtype", "m.text", "body", "The zebra is here"))
                .assertStatus(200).json().getString("event_id");
        alice.put(path + "2", json("msgtype", "m.text", "body", "in thread",
                "m.relates_to", json("rel_type", "m.thread", "event_id", hit))).assertStatus(200);
        JsonObject found = alice.post(V3 + "/search", json("search_categories", json("room_events",
                json("search_term", "the ZEBRA is")))).assertStatus(200).json()
                .getJsonObject("search_categories").getJsonObject("room_events");
        assertEquals(1, found.getInt("count"));
        JsonObject result = found.getJsonArray("results").getJsonObject(0).getJsonObject("result");
        assertEquals(hit, result.getString("event_id"));
        assertEquals(1, result.getJsonObject("unsigned").getJsonObject("m.relations").getJsonObject("m.thread")
                .getInt("count"));
        List<String> threads = alice.get("/_matrix/client/v1/rooms/" + URLEncoder.encode(room, StandardCharsets.UTF_8)
                + "/threads").assertStatus(200).json().getJsonArray("chunk").stream()
                .map(JsonValue::asJsonObject).map(e -> e.getString("event_id")).toList();
        assertEquals(List.of(hit), threads);
    }
}
