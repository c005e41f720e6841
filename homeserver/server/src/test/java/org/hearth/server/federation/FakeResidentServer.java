package org.hearth.server.federation;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.tls.FederationKeystore;
import org.hearth.spec.auth.AuthRules;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.EventSigning;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * A resident server written for tests: HTTPS on loopback (server name {@code localhost:<port>}), its own Ed25519
 * key published at {@code /_matrix/key/v2/server}, rooms it builds and signs itself with spec/ (hashes, signatures,
 * event IDs), answering make_join and send_join for them. A test can tamper with the make_join room version and
 * the send_join answer to see what the joining Hearth does with spec-breaking input. Other federation requests
 * get {@code {}} for /send and 404 {@code M_UNRECOGNIZED} otherwise. It does not check X-Matrix signatures.
 */
final class FakeResidentServer implements AutoCloseable {
    private final HttpsServer https;
    private final String serverName;
    private final SigningKey key = SigningKey.generate("fake");
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    /** Join events received by send_join, as sent. */
    final List<JsonObject> joinsReceived = new CopyOnWriteArrayList<>();
    /** Applied to every send_join answer before it is sent. */
    volatile UnaryOperator<JsonObject> sendJoinAnswer = UnaryOperator.identity();
    /** When set, make_join answers this room version instead of the room's. */
    volatile String makeJoinVersion;

    private FakeResidentServer(Path dir) throws Exception {
        https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        serverName = "localhost:" + https.getAddress().getPort();
        var identity = FederationKeystore.loadOrCreate(new HearthConfig.Tls(dir.resolve("fake.p12"), "changeit",
                "fake"), "localhost");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("fake", identity.key(), "changeit".toCharArray(),
                identity.chain().toArray(Certificate[]::new));
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(store, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        https.setHttpsConfigurator(new HttpsConfigurator(tls));
        https.createContext("/", this::handle);
        https.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        https.start();
    }

    static FakeResidentServer start() {
        try {
            Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "fake-resident-");
            return new FakeResidentServer(dir);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    String serverName() {
        return serverName;
    }

    String userId(String localpart) {
        return "@" + localpart + ":" + serverName;
    }

    SigningKey key() {
        return key;
    }

    /** {@code event} with hashes and this server's signature (its content as given). */
    JsonObject sign(RoomVersion version, JsonObject event) {
        return EventSigning.hashAndSign(version, event, serverName, key);
    }

    /**
     * A public room created by {@code @carol} of this server, {@code createVersion} written in its create event
     * (normally {@code version.id()}). Its events: create, carol's join, power levels, join rules.
     */
    Room newRoom(RoomVersion version, String createVersion) {
        String roomId = "!" + Long.toHexString(System.nanoTime()) + ":" + serverName;
        Room room = new Room(version, roomId);
        String carol = userId("carol");
        room.add("m.room.create", "", carol, Json.objectBuilder().add("creator", carol)
                .add("room_version", createVersion).build());
        room.add("m.room.member", carol, carol, Json.objectBuilder().add("membership", "join").build());
        room.add("m.room.power_levels", "", carol, Json.objectBuilder()
                .add("users", Json.objectBuilder().add(carol, 100)).build());
        room.add("m.room.join_rules", "", carol, Json.objectBuilder().add("join_rule", "public").build());
        rooms.put(roomId, room);
        return room;
    }

    /** A room of this server: its events in order and its current state (no forks). */
    final class Room {
        final RoomVersion version;
        final String roomId;
        final List<Pdu> events = new CopyOnWriteArrayList<>();
        final Map<StateKey, Pdu> state = new LinkedHashMap<>();

        Room(RoomVersion version, String roomId) {
            this.version = version;
            this.roomId = roomId;
        }

        /** An event on top of the others, its auth events chosen from the current state as the auth rules say. */
        synchronized Pdu add(String type, String stateKey, String sender, JsonObject content) {
            return append(sign(version, template(type, stateKey, sender, content)));
        }

        /** The unsigned next event (prev_events, depth, auth_events filled in). */
        synchronized JsonObject template(String type, String stateKey, String sender, JsonObject content) {
            var b = Json.objectBuilder().add("room_id", roomId).add("type", type).add("sender", sender)
                    .add("content", content).add("origin_server_ts", System.currentTimeMillis())
                    .add("depth", events.size() + 1L).add("origin", serverName);
            if (stateKey != null) {
                b.add("state_key", stateKey);
            }
            JsonArrayBuilder prev = jakarta.json.Json.createArrayBuilder();
            if (!events.isEmpty()) {
                prev.add(events.getLast().eventId());
            }
            JsonObject draft = b.add("prev_events", prev).build();
            JsonArrayBuilder auth = jakarta.json.Json.createArrayBuilder();
            for (StateKey k : AuthRules.authEventTypes(version, new Pdu(null, draft))) {
                Pdu p = state.get(k);
                if (p != null) {
                    auth.add(p.eventId());
                }
            }
            return Json.objectBuilder(draft).add("auth_events", auth).build();
        }

        /** Appends an already signed event as it is (even one the auth rules would refuse). */
        synchronized Pdu append(JsonObject signed) {
            Pdu pdu = EventIds.pdu(version, signed);
            events.add(pdu);
            pdu.stateTuple().ifPresent(k -> state.put(k, pdu));
            return pdu;
        }

        Pdu stateEvent(String type, String stateKey) {
            return state.get(StateKey.of(type, stateKey));
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getRawPath();
            String method = exchange.getRequestMethod();
            JsonObject body = null;
            if (method.equals("PUT") || method.equals("POST")) {
                try (InputStream in = exchange.getRequestBody()) {
                    body = Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)).asJsonObject();
                }
            }
            String[] parts = path.split("/");
            if (path.startsWith("/_matrix/key/v2/server")) {
                reply(exchange, 200, keys());
            } else if (method.equals("GET") && path.startsWith("/_matrix/federation/v1/make_join/")) {
                Room room = rooms.get(decode(parts[5]));
                if (room == null) {
                    reply(exchange, 404, error("M_NOT_FOUND", "unknown room"));
                    return;
                }
                String user = decode(parts[6]);
                String version = makeJoinVersion != null ? makeJoinVersion : room.version.id();
                reply(exchange, 200, Json.objectBuilder().add("room_version", version).add("event",
                        room.template("m.room.member", user, user, Json.objectBuilder().add("membership", "join")
                                .build())).build());
            } else if (method.equals("PUT") && path.startsWith("/_matrix/federation/v2/send_join/")) {
                Room room = rooms.get(decode(parts[5]));
                if (room == null) {
                    reply(exchange, 404, error("M_NOT_FOUND", "unknown room"));
                    return;
                }
                joinsReceived.add(body);
                JsonObject answer;
                synchronized (room) {
                    JsonArrayBuilder state = jakarta.json.Json.createArrayBuilder();
                    room.state.values().forEach(p -> state.add(p.json()));
                    // Every event of the room: a superset of the auth chain, which the spec allows no less.
                    JsonArrayBuilder chain = jakarta.json.Json.createArrayBuilder();
                    room.events.stream().filter(Pdu::isState).forEach(p -> chain.add(p.json()));
                    answer = Json.objectBuilder().add("origin", serverName).add("members_omitted", false)
                            .add("state", state).add("auth_chain", chain).build();
                    room.append(EventSigning.sign(room.version, body, serverName, key));
                }
                reply(exchange, 200, sendJoinAnswer.apply(answer));
            } else if (method.equals("PUT") && path.startsWith("/_matrix/federation/v1/send/")) {
                reply(exchange, 200, Json.objectBuilder().add("pdus", Json.objectBuilder()).build());
            } else {
                reply(exchange, 404, error("M_UNRECOGNIZED", "not in the fake"));
            }
        } catch (RuntimeException e) {
            reply(exchange, 500, error("M_UNKNOWN", String.valueOf(e)));
        }
    }

    private JsonObject keys() {
        JsonObject keys = Json.objectBuilder().add("server_name", serverName)
                .add("valid_until_ts", System.currentTimeMillis() + 3_600_000)
                .add("verify_keys", Json.objectBuilder().add(SigningKey.ALGORITHM + ":" + key.version(),
                        Json.objectBuilder().add("key", key.publicKeyBase64())))
                .add("old_verify_keys", Json.objectBuilder()).build();
        return Signatures.sign(keys, serverName, key);
    }

    private static JsonObject error(String errcode, String message) {
        return Json.objectBuilder().add("errcode", errcode).add("error", message).build();
    }

    private static void reply(HttpExchange exchange, int status, JsonObject json) throws IOException {
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** All state events of {@code answer}'s {@code field} with {@code change} applied to those {@code which} selects. */
    static JsonObject mapEvents(JsonObject answer, String field, java.util.function.Predicate<JsonObject> which,
                                UnaryOperator<JsonObject> change) {
        JsonArrayBuilder out = jakarta.json.Json.createArrayBuilder();
        for (JsonObject e : answer.getJsonArray(field).getValuesAs(JsonObject.class)) {
            if (which.test(e)) {
                JsonObject changed = change.apply(e);
                if (changed != null) {
                    out.add(changed);
                }
            } else {
                out.add(e);
            }
        }
        return Json.objectBuilder(answer).add(field, out).build();
    }


    @Override
    public void close() {
        https.stop(0);
    }
}
