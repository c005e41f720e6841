package org.hearth.server.plugins;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API 0.3.0 over real HTTP: declared {@code act-as} permissions (the facade refuses acting outside them, a malformed
 * declaration refuses the plugin, no declaration keeps 0.2.0's behaviour), and a member visibility filter that throws
 * hides every member but the viewer while rooms of other types stay as they are.
 */
class PluginPermissionsIT {
    private static final Path PLUGINS;
    private static final AtomicInteger N = new AtomicInteger();

    /** A route that creates a room as the caller, and one that has the plugin's bot create one. */
    private static String actor(String id) {
        return """
                package test.%1$s;

                import java.util.List;
                import org.hearth.plugin.api.*;
                import org.hearth.spec.json.Json;
                import org.pf4j.Extension;

                @Extension
                public class Actor implements PluginRoutes {
                    private final Homeserver homeserver;

                    public Actor(Homeserver homeserver) {
                        this.homeserver = homeserver;
                    }

                    @Override
                    public List<Route> routes() {
                        return List.of(Route.post("/as-me", req -> PluginResponse.ok(Json.objectBuilder()
                                .add("room_id", homeserver.createRoom(req.user(), Json.objectBuilder().build())).build())),
                                Route.post("/as-bot", req -> PluginResponse.ok(Json.objectBuilder()
                                .add("room_id", homeserver.createRoom(homeserver.botUser("%1$sbot"),
                                        Json.objectBuilder().build())).build())));
                    }
                }
                """.formatted(id);
    }

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(PLUGINS, "narrow", ">=0.3.0 & <1.0.0", Map.of("test.narrow.Actor", actor("narrow")), Map.of(),
                    Map.of("Plugin-Permissions", "act-as:helper-*"));
            PluginJars.build(PLUGINS, "legacy", ">=0.2.0 & <1.0.0", Map.of("test.legacy.Actor", actor("legacy")));
            PluginJars.build(PLUGINS, "garbled", ">=0.3.0 & <1.0.0", Map.of("test.garbled.Actor", actor("garbled")), Map.of(),
                    Map.of("Plugin-Permissions", "read-everything"));
            PluginJars.build(PLUGINS, "blinder", ">=0.3.0 & <1.0.0", Map.of("test.blinder.Blinder", """
                    package test.blinder;

                    import org.hearth.plugin.api.MemberVisibility;
                    import org.pf4j.Extension;

                    @Extension
                    public class Blinder implements MemberVisibility {
                        @Override
                        public String roomType() {
                            return "org.example.blind";
                        }

                        @Override
                        public Visible visibleTo(String roomId, String viewer) {
                            throw new IllegalStateException("broken on purpose");
                        }
                    }
                    """));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000").with("plugins.max_failures", "1000");

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static JsonObject entry(String id) {
        var admin = server.registerWithSharedSecret("padmin" + N.incrementAndGet(), TestServer.DEFAULT_PASSWORD, true);
        for (var p : admin.get("/_hearth/admin/v1/plugins").assertStatus(200).json().getJsonArray("plugins")) {
            if (p.asJsonObject().getString("id").equals(id)) {
                return p.asJsonObject();
            }
        }
        throw new AssertionError("no plugin " + id);
    }

    @Test
    void aPluginActsOnlyAsTheUsersItDeclaredAndItsOwnBots() {
        var alice = server.register("alice" + N.incrementAndGet());
        var res = alice.post("/_hearth/plugins/narrow/as-me", json()).assertError(403, "M_FORBIDDEN");
        String error = res.json().getString("error");
        assertTrue(error.contains("act-as:helper-*") && error.contains(alice.userId()), error);
        assertTrue(alice.get("/_matrix/client/v3/joined_rooms").json().getJsonArray("joined_rooms").isEmpty(),
                "no room was created as alice");

        var helper = server.register("helper-" + N.incrementAndGet());
        String room = helper.post("/_hearth/plugins/narrow/as-me", json()).assertStatus(200).json().getString("room_id");
        assertEquals(room, helper.get("/_matrix/client/v3/joined_rooms").json().getJsonArray("joined_rooms").getString(0));
        alice.post("/_hearth/plugins/narrow/as-bot", json()).assertStatus(200);
    }

    @Test
    void aPluginThatDeclaresNothingKeepsTheOldBehaviour() {
        var bob = server.register("bob" + N.incrementAndGet());
        bob.post("/_hearth/plugins/legacy/as-me", json()).assertStatus(200);
        assertEquals(1, bob.get("/_matrix/client/v3/joined_rooms").json().getJsonArray("joined_rooms").size());
    }

    @Test
    void aMalformedDeclarationRefusesThePluginWithTheReason() {
        JsonObject garbled = entry("garbled");
        assertEquals("refused", garbled.getString("state"));
        assertTrue(garbled.getString("reason").contains("Plugin-Permissions"), garbled.toString());
        var carol = server.register("carol" + N.incrementAndGet());
        carol.post("/_hearth/plugins/garbled/as-me", json()).assertError(404, "M_UNRECOGNIZED");
        JsonObject narrow = entry("narrow");
        assertEquals("started", narrow.getString("state"));
        assertEquals(jakarta.json.Json.createArrayBuilder().add("act-as:helper-*").build(), narrow.getJsonArray("permissions"));
        assertTrue(!entry("legacy").containsKey("permissions"), "a plugin that declared nothing lists none");
    }

    private static Set<String> members(TestServer.User viewer, String room) {
        Set<String> out = new HashSet<>();
        for (JsonValue v : viewer.get("/_matrix/client/v3/rooms/" + enc(room) + "/members").assertStatus(200).json()
                .getJsonArray("chunk")) {
            out.add(v.asJsonObject().getString("state_key"));
        }
        return out;
    }

    @Test
    void aFailingVisibilityFilterHidesEveryoneButTheViewerOnlyInItsRoomType() {
        var dan = server.register("dan" + N.incrementAndGet());
        var eve = server.register("eve" + N.incrementAndGet());
        for (String type : new String[] {"org.example.blind", "org.example.other"}) {
            String room = dan.post("/_matrix/client/v3/createRoom", json("creation_content", json("type", type),
                    "invite", jakarta.json.Json.createArrayBuilder().add(eve.userId()))).assertStatus(200).json()
                    .getString("room_id");
            eve.post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
            if (type.equals("org.example.blind")) {
                assertEquals(Set.of(eve.userId()), members(eve, room));
                assertEquals(Set.of(dan.userId()), members(dan, room));
                assertEquals(Set.of(eve.userId()), eve.get("/_matrix/client/v3/rooms/" + enc(room) + "/joined_members")
                        .json().getJsonObject("joined").keySet());
            } else {
                assertEquals(Set.of(dan.userId(), eve.userId()), members(eve, room));
            }
        }
    }
}
