package org.hearth.server.plugins;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Follows the tutorial in plugins/README.md: builds its example plugin from the README's code and uses it. */
class PluginTutorialIT {
    private static final Pattern SOURCE = Pattern.compile("```java\\n// src/main/java/([\\w/]+)\\.java\\n(.*?)```",
            Pattern.DOTALL);
    private static final Path PLUGINS = build();

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("plugins.dir", PLUGINS.toString());

    private static Path build() {
        try {
            String readme = Files.readString(Path.of("../../plugins/README.md"));
            Map<String, String> sources = new LinkedHashMap<>();
            Matcher m = SOURCE.matcher(readme);
            while (m.find()) {
                sources.put(m.group(1).replace('/', '.'), m.group(2));
            }
            assertEquals(2, sources.size(), "the tutorial's two source files");
            Path dir = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(dir, "noshouting", ">=0.1.0 & <1.0.0", sources);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theTutorialPluginRefusesShoutingAndGreets() {
        var alice = server.register("alice");
        String room = alice.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        String path = "/_matrix/client/v3/rooms/" + URLEncoder.encode(room, StandardCharsets.UTF_8) + "/send/m.room.message/";
        var refused = alice.put(path + "1", json("msgtype", "m.text", "body", "HELLO ALL")).assertError(403, "M_FORBIDDEN");
        assertEquals("Please do not shout", refused.json().getString("error"));
        alice.put(path + "2", json("msgtype", "m.text", "body", "hello all")).assertStatus(200);
        alice.put(path + "3", json("msgtype", "m.text", "body", "OK")).assertStatus(200);
        String timeline = alice.get("/_matrix/client/v3/rooms/" + URLEncoder.encode(room, StandardCharsets.UTF_8)
                + "/messages?dir=b").assertStatus(200).body();
        assertFalse(timeline.contains("HELLO ALL"));
        assertEquals("Hello, alice", alice.get("/_hearth/plugins/noshouting/hello").assertStatus(200).json()
                .getString("greeting"));
    }

    @Test
    void anAdminUnloadsAndReloadsThePluginWhileTheServerRuns() {
        var bob = server.register("bob");
        var admin = server.registerWithSharedSecret("root", TestServer.DEFAULT_PASSWORD, true);
        String room = bob.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        String path = "/_matrix/client/v3/rooms/" + URLEncoder.encode(room, StandardCharsets.UTF_8) + "/send/m.room.message/";
        bob.post("/_hearth/admin/v1/plugins/noshouting/unload", json()).assertError(403, "M_FORBIDDEN");
        admin.post("/_hearth/admin/v1/plugins/nosuchplugin/reload", json()).assertError(404, "M_NOT_FOUND");
        admin.get("/_hearth/admin/v1/plugins/noshouting/reload").assertError(405, "M_UNRECOGNIZED");

        assertEquals("unloaded", admin.post("/_hearth/admin/v1/plugins/noshouting/unload", json()).assertStatus(200)
                .json().getString("state"));
        bob.put(path + "1", json("msgtype", "m.text", "body", "LOUD AGAIN")).assertStatus(200);
        bob.get("/_hearth/plugins/noshouting/hello").assertError(404, "M_UNRECOGNIZED");
        assertEquals("unloaded", admin.get("/_hearth/admin/v1/plugins").assertStatus(200).json()
                .getJsonArray("plugins").getJsonObject(0).getString("state"));

        assertEquals("started", admin.post("/_hearth/admin/v1/plugins/noshouting/reload", json()).assertStatus(200)
                .json().getString("state"));
        bob.put(path + "2", json("msgtype", "m.text", "body", "LOUD AGAIN")).assertError(403, "M_FORBIDDEN");
        assertEquals("Hello, bob", bob.get("/_hearth/plugins/noshouting/hello").assertStatus(200).json()
                .getString("greeting"));
        // Reloading a started plugin works too (it is unloaded first).
        assertEquals("started", admin.post("/_hearth/admin/v1/plugins/noshouting/reload", json()).assertStatus(200)
                .json().getString("state"));
        bob.put(path + "3", json("msgtype", "m.text", "body", "LOUD AGAIN")).assertError(403, "M_FORBIDDEN");
    }
}
