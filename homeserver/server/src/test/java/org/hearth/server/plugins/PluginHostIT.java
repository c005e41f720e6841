package org.hearth.server.plugins;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Plugin jars built from source, loaded by a running server: event checks, routes, budgets, failures, refusals. */
class PluginHostIT {
    private static final Path PLUGINS = pluginDir();

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "300")
            .with("plugins.max_failures", "3")
            .with("plugin_config.wordfilter.word", "sprout");

    private static final AtomicInteger N = new AtomicInteger();

    private static Path pluginDir() {
        try {
            Path dir = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(dir, "wordfilter", ">=0.1.0 & <1.0.0", Map.of("test.wordfilter.WordFilter", """
                    package test.wordfilter;

                    import java.util.List;
                    import org.hearth.plugin.api.*;
                    import org.hearth.spec.error.ErrorCode;
                    import org.hearth.spec.json.Json;
                    import org.pf4j.Extension;

                    @Extension
                    public class WordFilter implements EventCheck {
                        private final String word;

                        public WordFilter(Homeserver homeserver) {
                            this.word = homeserver.config().getString("word");
                        }

                        @Override
                        public Verdict check(ProposedEvent event) {
                            if (event.type().equals("m.room.message")
                                    && event.content().getString("body", "").contains(word)) {
                                return Verdict.refuse(ErrorCode.FORBIDDEN, "wordfilter: no " + word + " here");
                            }
                            return Verdict.ALLOW;
                        }
                    }
                    """, "test.wordfilter.Echo", """
                    package test.wordfilter;

                    import java.util.List;
                    import org.hearth.plugin.api.*;
                    import org.hearth.spec.error.ErrorCode;
                    import org.hearth.spec.error.MatrixException;
                    import org.hearth.spec.json.Json;
                    import org.pf4j.Extension;

                    @Extension
                    public class Echo implements PluginRoutes {
                        @Override
                        public List<Route> routes() {
                            return List.of(
                                    Route.get("/echo/{word}", req -> PluginResponse.ok(Json.objectBuilder()
                                            .add("user", req.user()).add("word", req.pathParam("word"))
                                            .add("x", req.query().getOrDefault("x", "")).build())),
                                    Route.post("/echo", req -> new PluginResponse(201, req.body().orElseThrow(() ->
                                            new MatrixException(ErrorCode.BAD_JSON, "a body is required")))),
                                    Route.get("/crash", req -> { throw new IllegalStateException("crash"); }));
                        }
                    }
                    """));
            PluginJars.build(dir, "flaky", ">=0.1.0", Map.of("test.flaky.Flaky", """
                    package test.flaky;

                    import org.hearth.plugin.api.*;
                    import org.pf4j.Extension;

                    @Extension
                    public class Flaky implements EventCheck {
                        @Override
                        public Verdict check(ProposedEvent event) {
                            String body = event.content().getString("body", "");
                            if (body.contains("boom")) {
                                throw new IllegalStateException("boom");
                            }
                            if (body.contains("spin")) {
                                // A CPU loop that ignores interruption (bounded, so the test JVM gets its core back).
                                long end = System.nanoTime() + 2_000_000_000L;
                                long n = 0;
                                while (System.nanoTime() < end) {
                                    n++;
                                }
                                return n < 0 ? Verdict.refuse(org.hearth.spec.error.ErrorCode.FORBIDDEN, "never") : Verdict.ALLOW;
                            }
                            return Verdict.ALLOW;
                        }
                    }
                    """));
            PluginJars.build(dir, "observer", ">=0.1.0", Map.of("test.observer.Observer", """
                    package test.observer;

                    import java.util.List;
                    import java.util.Map;
                    import java.util.concurrent.ConcurrentHashMap;
                    import org.hearth.plugin.api.*;
                    import org.hearth.spec.error.ErrorCode;
                    import org.hearth.spec.error.MatrixException;
                    import org.hearth.spec.json.Json;
                    import org.pf4j.Extension;

                    @Extension
                    public class Observer implements EventObserver, PluginRoutes, ScheduledTask {
                        private final Homeserver homeserver;
                        private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

                        public Observer(Homeserver homeserver) {
                            this.homeserver = homeserver;
                        }

                        @Override
                        public void observe(ObservedEvent event) {
                            int n = attempts.merge(event.eventId(), 1, Integer::sum);
                            if (event.content().getString("body", "").contains("retry") && n < 3) {
                                throw new IllegalStateException("not yet");
                            }
                            homeserver.store().put("seen:" + event.eventId(), Json.objectBuilder()
                                    .add("position", event.streamPosition()).add("room", event.roomId())
                                    .add("type", event.type()).add("attempts", n).build());
                        }

                        @Override
                        public java.time.Duration interval() {
                            return java.time.Duration.ofSeconds(1);
                        }

                        @Override
                        public void run() {
                            var ticks = homeserver.store().get("ticks").map(t -> t.getInt("n")).orElse(0);
                            homeserver.store().put("ticks", Json.objectBuilder().add("n", ticks + 1).build());
                        }

                        @Override
                        public List<Route> routes() {
                            return List.of(Route.get("/ticks", req -> PluginResponse.ok(homeserver.store().get("ticks")
                                            .orElse(Json.objectBuilder().add("n", 0).build()))),
                                    Route.get("/seen/{eventId}", req -> PluginResponse.ok(homeserver.store()
                                    .get("seen:" + req.pathParam("eventId")).orElseThrow(() ->
                                            new MatrixException(ErrorCode.NOT_FOUND, "not seen")))));
                        }
                    }
                    """));
            PluginJars.build(dir, "future", ">=9.0.0", Map.of("test.future.Future", """
                    package test.future;

                    import org.hearth.plugin.api.*;
                    import org.pf4j.Extension;

                    @Extension
                    public class Future implements EventCheck {
                        @Override
                        public Verdict check(ProposedEvent event) {
                            return Verdict.refuse(org.hearth.spec.error.ErrorCode.FORBIDDEN, "must never run");
                        }
                    }
                    """));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestServer.User newUser() {
        return server.register("p" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String createRoom(TestServer.User user) {
        return user.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
    }

    private static TestServer.Response say(TestServer.User user, String room, String body) {
        return user.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/t" + N.incrementAndGet(),
                json("msgtype", "m.text", "body", body));
    }

    private static String timelineText(TestServer.User user, String room) {
        return user.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=100").assertStatus(200).body();
    }

    private static Map<String, JsonObject> pluginsByIdAsAdmin() {
        var admin = server.registerWithSharedSecret("padmin" + N.incrementAndGet(), TestServer.DEFAULT_PASSWORD, true);
        var out = new java.util.HashMap<String, JsonObject>();
        for (var p : admin.get("/_hearth/admin/v1/plugins").assertStatus(200).json().getJsonArray("plugins")) {
            out.put(p.asJsonObject().getString("id"), p.asJsonObject());
        }
        return out;
    }

    @Test
    void aRefusedEventAnswersThePluginsErrorAndIsNotStored() {
        var alice = newUser();
        String room = createRoom(alice);
        var refused = say(alice, room, "a sprout in a sentence").assertError(403, "M_FORBIDDEN");
        assertEquals("wordfilter: no sprout here", refused.json().getString("error"));
        // State events pass through the same check.
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.message/k",
                json("body", "sprout")).assertError(403, "M_FORBIDDEN");
        String allowed = say(alice, room, "a carrot").assertStatus(200).json().getString("event_id");
        String timeline = timelineText(alice, room);
        assertTrue(timeline.contains(allowed), timeline);
        assertFalse(timeline.contains("sprout"), timeline);
    }

    @Test
    void routesAnswerUnderThePluginsPathAsTheCallingUser() {
        var bob = newUser();
        var echo = bob.get("/_hearth/plugins/wordfilter/echo/h%C3%A9llo?x=1").assertStatus(200).json();
        assertEquals(bob.userId(), echo.getString("user"));
        assertEquals("héllo", echo.getString("word"));
        assertEquals("1", echo.getString("x"));
        assertEquals(201, bob.post("/_hearth/plugins/wordfilter/echo", json("a", 1)).assertStatus(201).status());
        assertEquals(1, bob.post("/_hearth/plugins/wordfilter/echo", json("a", 1)).json().getInt("a"));

        server.client("GET", "/_hearth/plugins/wordfilter/echo/x").assertError(401, "M_MISSING_TOKEN");
        bob.get("/_hearth/plugins/nosuchplugin/echo/x").assertError(404, "M_UNRECOGNIZED");
        bob.get("/_hearth/plugins/wordfilter/nosuchroute").assertError(404, "M_UNRECOGNIZED");
        bob.delete("/_hearth/plugins/wordfilter/echo/x").assertError(405, "M_UNRECOGNIZED");
        // The refused plugin's routes do not exist.
        bob.get("/_hearth/plugins/future/anything").assertError(404, "M_UNRECOGNIZED");
        // Bodies are checked before the plugin sees them.
        server.client("POST", "/_hearth/plugins/wordfilter/echo", HttpRequest.BodyPublishers.ofString("{not json"),
                "Authorization", "Bearer " + bob.accessToken(), "Content-Type", "application/json")
                .assertError(400, "M_NOT_JSON");
        server.client("POST", "/_hearth/plugins/wordfilter/echo", HttpRequest.BodyPublishers.ofString("[1]"),
                "Authorization", "Bearer " + bob.accessToken(), "Content-Type", "application/json")
                .assertError(400, "M_BAD_JSON");
        server.client("POST", "/_hearth/plugins/wordfilter/echo", HttpRequest.BodyPublishers.noBody(),
                "Authorization", "Bearer " + bob.accessToken()).assertError(400, "M_BAD_JSON");
        // A handler that throws is a 500 in the Matrix shape; the plugin stays up after one failure.
        bob.get("/_hearth/plugins/wordfilter/crash").assertError(500, "M_UNKNOWN");
        bob.get("/_hearth/plugins/wordfilter/echo/again").assertStatus(200);
    }

    @Test
    void aPluginRequiringAnotherApiVersionIsRefusedWithTheReason() {
        JsonObject future = pluginsByIdAsAdmin().get("future");
        assertEquals("refused", future.getString("state"));
        assertTrue(future.getString("reason").contains(">=9.0.0"), future.toString());
        assertTrue(future.getString("reason").contains(org.hearth.plugin.api.PluginApi.VERSION), future.toString());
        assertEquals("started", pluginsByIdAsAdmin().get("wordfilter").getString("state"));
    }

    private static JsonObject seen(TestServer.User user, String eventId) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            var res = user.get("/_hearth/plugins/observer/seen/" + enc(eventId));
            if (res.status() == 200) {
                return res.json();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the observer never saw " + eventId);
    }

    @Test
    void observersSeeStoredEventsAfterCommitAndFailedDeliveriesAreRetried() throws Exception {
        var dan = newUser();
        String room = createRoom(dan);
        String first = say(dan, room, "hello observer").assertStatus(200).json().getString("event_id");
        JsonObject seen = seen(dan, first);
        assertEquals(room, seen.getString("room"));
        assertEquals("m.room.message", seen.getString("type"));
        assertEquals(1, seen.getInt("attempts"));
        // Fails twice, then succeeds: delivered again from the acknowledged position (at least once).
        String retried = say(dan, room, "retry me").assertStatus(200).json().getString("event_id");
        JsonObject again = seen(dan, retried);
        assertEquals(3, again.getInt("attempts"));
        assertTrue(again.getJsonNumber("position").longValue() > seen.getJsonNumber("position").longValue());
        // The acknowledged position is in the database, where a restarted server resumes from.
        try (var c = server.server().database().dataSource().getConnection();
             var st = c.prepareStatement("SELECT position FROM plugin_positions WHERE plugin_id = 'observer'");
             var rs = st.executeQuery()) {
            assertTrue(rs.next());
            assertTrue(rs.getLong(1) >= again.getJsonNumber("position").longValue());
        }
        assertEquals("started", pluginsByIdAsAdmin().get("observer").getString("state"));
    }

    @Test
    void scheduledTasksRunEveryInterval() throws InterruptedException {
        var erin = newUser();
        // More runs than max_failures with no other call in between: a finished run is no failure.
        Thread.sleep(4_500);
        assertEquals("started", pluginsByIdAsAdmin().get("observer").getString("state"));
        for (int i = 0; i < 50; i++) {
            if (erin.get("/_hearth/plugins/observer/ticks").assertStatus(200).json().getInt("n") >= 2) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the task did not run twice in 10 s");
    }

    @Test
    void theAdminListIsForAdminsOnly() {
        newUser().get("/_hearth/admin/v1/plugins").assertError(403, "M_FORBIDDEN");
        server.client("GET", "/_hearth/admin/v1/plugins").assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void aPluginThatThrowsOrOverrunsIsAbandonedThenDisabledAndTheServerKeepsServing() {
        var carol = newUser();
        String room = createRoom(carol);
        // A throwing check allows the event (a broken plugin does not stop rooms).
        say(carol, room, "boom").assertStatus(200);
        long start = System.nanoTime();
        say(carol, room, "spin").assertStatus(200);
        long spinMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(spinMs < 1500, "the overrunning check was abandoned at its 300 ms budget, took " + spinMs + " ms");
        assertEquals("started", pluginsByIdAsAdmin().get("flaky").getString("state"));
        say(carol, room, "boom again").assertStatus(200);
        JsonObject flaky = pluginsByIdAsAdmin().get("flaky");
        assertEquals("disabled", flaky.getString("state"));
        assertTrue(flaky.getString("reason").contains("3 failures"), flaky.toString());
        // Disabled: no longer called, so a spin costs nothing; the other plugins and the server carry on.
        start = System.nanoTime();
        say(carol, room, "spin").assertStatus(200);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 250);
        say(carol, room, "sprout").assertError(403, "M_FORBIDDEN");
        server.client("GET", "/_matrix/client/versions").assertStatus(200);
    }
}
