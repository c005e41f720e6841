package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Stories across servers: the story room is local ({@code m.federate: false}), so a member of the audience on another
 * server is never invited to it and gets each story by DM instead.
 */
class StoriesFederationIT {
    private static final Path PLUGINS;
    private static final String V3 = "/_matrix/client/v3";

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(PLUGINS, "stories", ">=0.5.0 & <1.0.0", Path.of("../../plugins/stories/src/main/java"),
                    Path.of("../../plugins/stories/src/main/resources"), Map.of("Plugin-Permissions", "act-as:*"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    @Order(1)
    static final TestServer a = TestServer.federatingOnLoopback().with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000").with("plugin_config.stories.audience_interval_ms", "1000");

    @RegisterExtension
    @Order(2)
    static final TestServer b = TestServer.federatingOnLoopback();

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }


    @Test
    void aRemoteMemberOfTheAudienceGetsStoriesByDmAndIsNeverInvitedToTheRoom() throws Exception {
        var alice = a.register("alice");
        var bob = b.register("bob");
        String dm = alice.post(V3 + "/createRoom", json("is_direct", true, "preset", "trusted_private_chat"))
                .assertStatus(200).json().getString("room_id");
        alice.post(V3 + "/rooms/" + enc(dm) + "/invite", json("user_id", bob.userId())).assertStatus(200);
        eventually(() -> bob.get(V3 + "/sync").json().getJsonObject("rooms").getJsonObject("invite").containsKey(dm) ? true : null);
        bob.post(V3 + "/rooms/" + enc(dm) + "/join", json()).assertStatus(200);
        alice.put(V3 + "/user/" + enc(alice.userId()) + "/account_data/m.direct", json(bob.userId(), Json.arrayBuilder().add(dm)))
                .assertStatus(200);
        alice.put("/_hearth/plugins/stories/audience", json("audience", "selected", "users",
                Json.arrayBuilder().add(bob.userId()))).assertStatus(200);
        String story = alice.post("/_hearth/plugins/stories/stories", json("msgtype", "m.text", "body", "hello from a"))
                .assertStatus(200).json().getString("event_id");

        JsonObject copy = eventually(() -> {
            for (JsonValue v : bob.get(V3 + "/rooms/" + enc(dm) + "/messages?dir=b&limit=20").json().getJsonArray("chunk")) {
                JsonObject content = v.asJsonObject().getJsonObject("content");
                if (content != null && content.containsKey("org.hearth.stories.story")) {
                    return v.asJsonObject();
                }
            }
            return null;
        });
        assertEquals(alice.userId(), copy.getString("sender"));
        assertEquals("Story: hello from a", copy.getJsonObject("content").getString("body"));
        assertEquals(story, copy.getJsonObject("content").getJsonObject("org.hearth.stories.story").getString("event_id"));
        String room = alice.get("/_hearth/plugins/stories/audience").json().getString("room_id");
        eventually(() -> alice.get("/_hearth/plugins/stories/audience").json().getBoolean("pending") ? null : true);
        alice.get(V3 + "/rooms/" + enc(room) + "/state/m.room.member/" + enc(bob.userId())).assertError(404, "M_NOT_FOUND");
    }
}
