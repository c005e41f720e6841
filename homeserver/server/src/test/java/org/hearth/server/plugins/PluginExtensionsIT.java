package org.hearth.server.plugins;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API 0.2.0 over real HTTP: a plugin's shipped migrations and its own tables, client-API extensions under its
 * namespace (a clash refuses the second plugin), extra /sync data, unauthenticated pages, and loading a jar copied
 * into the plugin directory while the server runs.
 */
class PluginExtensionsIT {
    private static final Path PLUGINS = pluginDir();
    private static final String NOTES = "/_matrix/client/unstable/org.example.notes/notes";

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("plugins.dir", PLUGINS.toString());

    private static final AtomicInteger N = new AtomicInteger();

    static final String NOTES_SOURCE = """
            package test.notes;

            import java.util.List;
            import java.util.Optional;
            import org.hearth.plugin.api.*;
            import org.hearth.spec.error.ErrorCode;
            import org.hearth.spec.error.MatrixException;
            import org.hearth.spec.json.Json;
            import org.pf4j.Extension;

            @Extension
            public class Notes implements ClientExtension, SyncExtension, WebPages {
                private final PluginDatabase db;

                public Notes(Homeserver homeserver) {
                    this.db = homeserver.database();
                }

                @Override
                public String namespace() {
                    return "org.example.notes";
                }

                @Override
                public List<PluginRoutes.Route> routes() {
                    return List.of(PluginRoutes.Route.post("/notes", req -> {
                        String text = req.body().map(b -> b.getString("text", null)).orElse(null);
                        if (text == null) {
                            throw new MatrixException(ErrorCode.BAD_JSON, "text is required");
                        }
                        db.transaction(tx -> tx.update("INSERT INTO plugin_notes_notes (owner, text) VALUES (?, ?)",
                                req.user(), text));
                        return PluginResponse.ok(Json.objectBuilder().build());
                    }), PluginRoutes.Route.get("/notes", req -> {
                        var out = Json.arrayBuilder();
                        db.query("SELECT text FROM plugin_notes_notes WHERE owner = ? ORDER BY id", req.user())
                                .forEach(row -> out.add((String) row.get("text")));
                        return PluginResponse.ok(Json.objectBuilder().add("notes", out).build());
                    }), PluginRoutes.Route.get("/escape", req -> {
                        try {
                            db.query("SELECT * FROM accounts");
                            return PluginResponse.ok(Json.objectBuilder().add("escaped", true).build());
                        } catch (IllegalArgumentException e) {
                            throw new MatrixException(ErrorCode.FORBIDDEN, e.getMessage());
                        }
                    }));
                }

                @Override
                public Optional<jakarta.json.JsonObject> sync(SyncRequest request) {
                    long count = ((Number) db.query("SELECT COUNT(*) AS n FROM plugin_notes_notes WHERE owner = ?",
                            request.user()).get(0).get("n")).longValue();
                    return count == 0 ? Optional.empty()
                            : Optional.of(Json.objectBuilder().add("count", count).add("initial", request.initial()).build());
                }

                @Override
                public Optional<WebPage> page(String path, java.util.Map<String, String> query) {
                    return path.equals("hello.html") ? Optional.of(WebPage.ok("text/html; charset=utf-8",
                            ("<p>hello " + query.getOrDefault("name", "") + "</p>").getBytes())) : Optional.empty();
                }
            }
            """;

    private static Path pluginDir() {
        try {
            Path dir = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(dir, "notes", ">=0.2.0 & <1.0.0", Map.of("test.notes.Notes", NOTES_SOURCE),
                    Map.of("db/notes/V1__notes.sql", """
                            -- a comment naming FROM accounts is no table
                            CREATE TABLE plugin_notes_notes (
                                id    BIGINT AUTO_INCREMENT PRIMARY KEY,
                                owner VARCHAR(255) NOT NULL,
                                text  TEXT NOT NULL
                            );
                            """, "db/notes/V2__index.sql", "CREATE INDEX plugin_notes_by_owner ON plugin_notes_notes (owner);"));
            // Same namespace as notes: refused, whichever loads second.
            PluginJars.build(dir, "znotes", ">=0.2.0", Map.of("test.znotes.Clash", """
                    package test.znotes;

                    import java.util.List;
                    import org.hearth.plugin.api.*;
                    import org.pf4j.Extension;

                    @Extension
                    public class Clash implements ClientExtension {
                        public String namespace() { return "org.example.notes"; }
                        public List<PluginRoutes.Route> routes() { return List.of(); }
                    }
                    """));
            PluginJars.build(dir, "sneaky", ">=0.2.0", Map.of("test.sneaky.Sneaky", """
                    package test.sneaky;

                    import org.hearth.plugin.api.*;
                    import org.pf4j.Extension;

                    @Extension
                    public class Sneaky implements EventCheck {
                        public Verdict check(ProposedEvent e) { return Verdict.ALLOW; }
                    }
                    """), Map.of("db/sneaky/V1__x.sql", """
                    CREATE TABLE plugin_sneaky_ok (id INT PRIMARY KEY);
                    CREATE TABLE sneaky_unprefixed (id INT PRIMARY KEY);
                    """));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestServer.User newUser() {
        return server.register("e" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static TestServer.User admin() {
        return server.registerWithSharedSecret("eadmin" + N.incrementAndGet(), TestServer.DEFAULT_PASSWORD, true);
    }

    private static JsonObject entry(String id) {
        for (var p : admin().get("/_hearth/admin/v1/plugins").assertStatus(200).json().getJsonArray("plugins")) {
            if (p.asJsonObject().getString("id").equals(id)) {
                return p.asJsonObject();
            }
        }
        throw new AssertionError("no plugin " + id);
    }

    @Test
    void migrationsCreateThePluginsTablesAndClientExtensionsUseThemAsTheCaller() {
        var alice = newUser();
        var bob = newUser();
        alice.get(NOTES).assertStatus(200);
        assertEquals(0, alice.get(NOTES).json().getJsonArray("notes").size());
        alice.post(NOTES, json("text", "milk")).assertStatus(200);
        alice.post(NOTES, json("text", "eggs")).assertStatus(200);
        bob.post(NOTES, json("text", "tea")).assertStatus(200);
        assertEquals("[\"milk\",\"eggs\"]", alice.get(NOTES).json().getJsonArray("notes").toString());
        assertEquals("[\"tea\"]", bob.get(NOTES).json().getJsonArray("notes").toString());
        // Bad input: the plugin's Matrix error, nothing stored.
        bob.post(NOTES, json("nope", 1)).assertError(400, "M_BAD_JSON");
        assertEquals(1, bob.get(NOTES).json().getJsonArray("notes").size());
        server.client("GET", NOTES).assertError(401, "M_MISSING_TOKEN");
        alice.get("/_matrix/client/unstable/org.example.nobody/notes").assertError(404, "M_UNRECOGNIZED");
        alice.get("/_matrix/client/unstable/org.example.notes/elsewhere").assertError(404, "M_UNRECOGNIZED");
    }

    @Test
    void aPluginCannotReachTablesOutsideItsPrefix() {
        var alice = newUser();
        var answer = alice.get("/_matrix/client/unstable/org.example.notes/escape").assertError(403, "M_FORBIDDEN");
        assertTrue(answer.json().getString("error").contains("plugin_notes_"), answer.body());
    }

    @Test
    void aSecondPluginDeclaringTheSameNamespaceIsRefusedWithTheReason() {
        JsonObject clash = entry("znotes");
        assertEquals("refused", clash.getString("state"));
        assertTrue(clash.getString("reason").contains("org.example.notes") && clash.getString("reason").contains("notes"),
                clash.toString());
        assertEquals("started", entry("notes").getString("state"));
    }

    @Test
    void aMigrationCreatingAnUnprefixedTableRefusesThePluginAndAppliesNothing() throws Exception {
        JsonObject sneaky = entry("sneaky");
        assertEquals("refused", sneaky.getString("state"));
        assertTrue(sneaky.getString("reason").contains("sneaky_unprefixed"), sneaky.toString());
        String db = server.scratchDatabase().orElseThrow();
        try (var c = java.sql.DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/" + db, "root", "");
             var rs = c.getMetaData().getTables(db, null, "%sneaky%", null)) {
            assertFalse(rs.next(), "no sneaky table was created");
        }
    }

    @Test
    void syncCarriesThePluginsDataUnderItsNamespaceOnlyWhenItHasSome() {
        var alice = newUser();
        JsonObject empty = alice.get("/_matrix/client/v3/sync").assertStatus(200).json();
        assertFalse(empty.containsKey("org.example.notes"), empty.toString());
        alice.post(NOTES, json("text", "bread")).assertStatus(200);
        JsonObject first = alice.get("/_matrix/client/v3/sync").assertStatus(200).json();
        assertEquals(1, first.getJsonObject("org.example.notes").getInt("count"));
        assertTrue(first.getJsonObject("org.example.notes").getBoolean("initial"));
        JsonObject next = alice.get("/_matrix/client/v3/sync?since=" + first.getString("next_batch")).assertStatus(200).json();
        assertFalse(next.getJsonObject("org.example.notes").getBoolean("initial"));
    }

    @Test
    void webPagesAnswerWithoutAToken() {
        var page = server.client("GET", "/_hearth/plugins/notes/web/hello.html?name=kim").assertStatus(200);
        assertEquals("<p>hello kim</p>", page.body());
        assertTrue(page.header("Content-Type").startsWith("text/html"));
        server.client("GET", "/_hearth/plugins/notes/web/other.html").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void anAdminLoadsAJarCopiedIntoThePluginDirectoryWhileTheServerRuns() {
        var admin = admin();
        admin.post("/_hearth/admin/v1/plugins/load", json("file", "late.jar")).assertError(400, "M_INVALID_PARAM");
        admin.post("/_hearth/admin/v1/plugins/load", json("file", "../notes.jar")).assertError(400, "M_INVALID_PARAM");
        admin.post("/_hearth/admin/v1/plugins/load", json()).assertError(400, "M_BAD_JSON");
        newUser().post("/_hearth/admin/v1/plugins/load", json("file", "late.jar")).assertError(403, "M_FORBIDDEN");
        PluginJars.build(PLUGINS, "late", ">=0.2.0", Map.of("test.late.Late", """
                package test.late;

                import java.util.List;
                import org.hearth.plugin.api.*;
                import org.hearth.spec.json.Json;
                import org.pf4j.Extension;

                @Extension
                public class Late implements PluginRoutes {
                    public List<Route> routes() {
                        return List.of(Route.get("/hi", r -> PluginResponse.ok(Json.objectBuilder().add("hi", r.user()).build())));
                    }
                }
                """));
        var user = newUser();
        user.get("/_hearth/plugins/late/hi").assertError(404, "M_UNRECOGNIZED");
        JsonObject loaded = admin.post("/_hearth/admin/v1/plugins/load", json("file", "late.jar")).assertStatus(200).json();
        assertEquals("started", loaded.getString("state"));
        assertEquals(user.userId(), user.get("/_hearth/plugins/late/hi").assertStatus(200).json().getString("hi"));
        // Loading it again reloads it.
        assertEquals("started", admin.post("/_hearth/admin/v1/plugins/load", json("file", "late.jar")).assertStatus(200)
                .json().getString("state"));
    }

    @Test
    void unloadingAndReloadingAPluginWhileAClientSyncsKeepsTheClientsConnection() throws Exception {
        var alice = newUser();
        var admin = admin();
        alice.post(NOTES, json("text", "kept")).assertStatus(200);
        String room = alice.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        String since = alice.get("/_matrix/client/v3/sync").assertStatus(200).json().getString("next_batch");
        var waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> alice.get("/_matrix/client/v3/sync?timeout=30000&since=" + since));

        admin.post("/_hearth/admin/v1/plugins/notes/unload", json()).assertStatus(200);
        alice.get(NOTES).assertError(404, "M_UNRECOGNIZED");
        JsonObject between = alice.get("/_matrix/client/v3/sync").assertStatus(200).json();
        assertFalse(between.containsKey("org.example.notes"), "an unloaded plugin adds nothing to /sync");
        assertEquals("started", admin.post("/_hearth/admin/v1/plugins/notes/reload", json()).assertStatus(200).json()
                .getString("state"));
        assertFalse(waiting.isDone(), "the long poll is still waiting");

        String event = alice.put("/_matrix/client/v3/rooms/" + java.net.URLEncoder.encode(room, java.nio.charset.StandardCharsets.UTF_8)
                + "/send/m.room.message/r1", json("msgtype", "m.text", "body", "after reload")).assertStatus(200).json()
                .getString("event_id");
        JsonObject woken = waiting.get(60, java.util.concurrent.TimeUnit.SECONDS).assertStatus(200).json();
        assertTrue(woken.toString().contains(event), woken.toString());
        assertEquals(1, woken.getJsonObject("org.example.notes").getInt("count"));
        // The reloaded plugin's tables kept their rows (migrations are not applied twice).
        assertEquals("[\"kept\"]", alice.get(NOTES).assertStatus(200).json().getJsonArray("notes").toString());
    }
}
