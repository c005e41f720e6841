package org.hearth.server.plugins;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Observers are at least once across a restart: an event whose delivery kept failing before the server stopped is
 * delivered after it starts again (the acknowledged position is in the database), and one already acknowledged is
 * not delivered again.
 */
class PluginObserverRestartIT {
    private static final Path PLUGINS;
    private static final Path MARKER;

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            MARKER = Files.createTempDirectory("hearth-marker").resolve("unblocked");
            PluginJars.build(PLUGINS, "ledger", ">=0.2.0", Map.of("test.ledger.Ledger", """
                    package test.ledger;

                    import java.nio.file.Files;
                    import java.nio.file.Path;
                    import java.util.List;
                    import org.hearth.plugin.api.*;
                    import org.hearth.spec.error.ErrorCode;
                    import org.hearth.spec.error.MatrixException;
                    import org.hearth.spec.json.Json;
                    import org.pf4j.Extension;

                    @Extension
                    public class Ledger implements EventObserver, PluginRoutes {
                        private final Homeserver homeserver;
                        // Read once per load: creating the marker while the server runs changes nothing until a restart.
                        private final boolean unblocked;

                        public Ledger(Homeserver homeserver) {
                            this.homeserver = homeserver;
                            this.unblocked = Files.exists(Path.of(homeserver.config().getString("marker")));
                        }

                        @Override
                        public void observe(ObservedEvent event) {
                            if (!event.type().equals("m.room.message")) {
                                return;
                            }
                            if (event.content().getString("body", "").contains("blocked") && !unblocked) {
                                throw new IllegalStateException("blocked until the marker exists");
                            }
                            homeserver.database().update("INSERT INTO plugin_ledger_seen (event_id, deliveries) VALUES (?, 1)"
                                    + " ON DUPLICATE KEY UPDATE deliveries = deliveries + 1", event.eventId());
                        }

                        @Override
                        public List<Route> routes() {
                            return List.of(Route.get("/seen/{eventId}", req -> {
                                var rows = homeserver.database().query(
                                        "SELECT deliveries FROM plugin_ledger_seen WHERE event_id = ?", req.pathParam("eventId"));
                                if (rows.isEmpty()) {
                                    throw new MatrixException(ErrorCode.NOT_FOUND, "not seen");
                                }
                                return PluginResponse.ok(Json.objectBuilder()
                                        .add("deliveries", ((Number) rows.get(0).get("deliveries")).intValue()).build());
                            }));
                        }
                    }
                    """), Map.of("db/ledger/V1__seen.sql",
                    "CREATE TABLE plugin_ledger_seen (event_id VARCHAR(255) PRIMARY KEY, deliveries INT NOT NULL);"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.max_failures", "1000")
            .with("plugin_config.ledger.marker", MARKER.toString());

    private static String say(TestServer.User user, String room, String body) {
        return user.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/" + System.nanoTime(),
                json("msgtype", "m.text", "body", body)).assertStatus(200).json().getString("event_id");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int deliveries(TestServer.User user, String eventId) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            var answer = user.get("/_hearth/plugins/ledger/seen/" + enc(eventId));
            if (answer.status() == 200) {
                return answer.json().getInt("deliveries");
            }
            Thread.sleep(100);
        }
        return 0;
    }

    @Test
    void anUnacknowledgedEventIsDeliveredAfterARestartAndAnAcknowledgedOneIsNot() throws Exception {
        var alice = server.register("ledgeralice");
        String room = alice.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        String first = say(alice, room, "one");
        assertEquals(1, deliveries(alice, first));
        String blocked = say(alice, room, "blocked two");
        String after = say(alice, room, "three");
        // Delivery is in order: the failing event holds back the one after it. A few retries pass.
        Thread.sleep(3000);
        alice.get("/_hearth/plugins/ledger/seen/" + enc(blocked)).assertError(404, "M_NOT_FOUND");
        alice.get("/_hearth/plugins/ledger/seen/" + enc(after)).assertError(404, "M_NOT_FOUND");

        Files.createFile(MARKER);
        Thread.sleep(2000);
        alice.get("/_hearth/plugins/ledger/seen/" + enc(blocked)).assertError(404, "M_NOT_FOUND");
        server.restart();

        assertEquals(1, deliveries(alice, blocked));
        assertEquals(1, deliveries(alice, after));
        assertEquals(1, deliveries(alice, first), "the acknowledged event is not replayed");
    }
}
