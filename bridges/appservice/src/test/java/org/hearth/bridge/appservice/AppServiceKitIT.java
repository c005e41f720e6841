package org.hearth.bridge.appservice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The kit against a real homeserver over HTTP: what a bridge does at start, transactions, queries, the store. */
class AppServiceKitIT {
    static Registration registration;
    static HomeserverUnderTest homeserver;
    static BridgeStore store;
    static BridgeListener listener;
    static HomeserverClient client;
    static final Recorder EVENTS = new Recorder();
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Records what the homeserver pushes; knows the users @_kit_known_* (registers them while answering). */
    static final class Recorder implements BridgeEvents {
        final List<JsonObject> events = new CopyOnWriteArrayList<>();
        final AtomicBoolean failNext = new AtomicBoolean();

        @Override
        public void onEvent(JsonObject event) {
            if (event.getString("type", "").equals("test.fail") && failNext.getAndSet(false)) {
                throw new IllegalStateException("the bridge's network is down");
            }
            events.add(event);
        }

        @Override
        public boolean queryUser(String userId) {
            if (!userId.startsWith("@_kit_known_")) {
                return false;
            }
            client.intent(userId).ensureRegistered();
            return true;
        }

        long count(String eventId) {
            return events.stream().filter(e -> eventId.equals(e.getString("event_id", null))).count();
        }

        void await(String eventId) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 30_000;
            while (count(eventId) == 0 && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(1, count(eventId), "event " + eventId + " never reached the bridge");
        }
    }

    @BeforeAll
    static void start() {
        registration = HomeserverUnderTest.registration("kit", "kitbot", "_kit_");
        homeserver = HomeserverUnderTest.start(registration);
        store = BridgeStore.open(registration.id(), homeserver.storeJdbcUrl(), "root", "");
        listener = BridgeListener.start("127.0.0.1", HomeserverUnderTest.bridgePort(registration),
                new TransactionReceiver(registration, EVENTS, store));
        client = new HomeserverClient(homeserver.baseUrl(), registration);
    }

    @AfterAll
    static void stop() {
        if (listener != null) {
            listener.close();
        }
        if (store != null) {
            store.close();
        }
        if (homeserver != null) {
            homeserver.close();
        }
    }

    @Test
    void aBridgeStartsRegistersAVirtualUserJoinsSendsAndReceivesItsEvents() throws Exception {
        assertTrue(client.ping("start-1") >= 0);
        String ghost = "@_kit_alice:" + client.serverName();
        Intent alice = client.intent(ghost);
        alice.ensureRegistered();
        client.intent(ghost).ensureRegistered();
        // A new intent for a user that exists already: M_USER_IN_USE is fine.
        new HomeserverClient(homeserver.baseUrl(), registration).intent(ghost).ensureRegistered();

        alice.setDisplayName("Alice (kit)");
        String avatar = alice.upload(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10}, "image/png", "a.png");
        assertTrue(avatar.startsWith("mxc://"), avatar);
        alice.setAvatarUrl(avatar);
        JsonObject profile = client.call("GET", "/_matrix/client/v3/profile/" + HomeserverClient.enc(ghost), null, null);
        assertEquals("Alice (kit)", profile.getString("displayname"));
        assertEquals(avatar, profile.getString("avatar_url"));

        String room = client.bot().createRoom(Json.createObjectBuilder().add("preset", "public_chat").build());
        assertEquals(room, alice.join(room));
        String sent = alice.sendText(room, "hello from the kit");
        EVENTS.await(sent);
        assertTrue(client.bot().state(room, "m.room.topic", "").isEmpty());
        client.bot().sendState(room, "m.room.topic", "", Json.createObjectBuilder().add("topic", "bridged").build());
        assertEquals("bridged", client.bot().state(room, "m.room.topic", "").orElseThrow().getString("topic"));
        assertTrue(client.bot().state(room, "org.example.none", "").isEmpty());

        alice.setAccountData("org.example.kit", Json.createObjectBuilder().add("n", 1).build());
        assertEquals(1, alice.accountData("org.example.kit").orElseThrow().getInt("n"));
        assertTrue(alice.accountData("org.example.absent").isEmpty());

        // Outside the namespace the homeserver refuses to let the appservice act.
        var refused = assertThrows(MatrixException.class, () -> client.intent("@someone:" + client.serverName()).sendText(room, "x"));
        assertTrue(refused.status() == 403 || refused.status() == 400, refused.getMessage());
    }

    @Test
    void unknownUsersInTheNamespaceAreQueriedAndCreatedByTheBridge() {
        String known = "@_kit_known_bob:" + client.serverName();
        JsonObject profile = client.call("GET", "/_matrix/client/v3/profile/" + HomeserverClient.enc(known), null, null);
        assertTrue(profile != null);
        var missing = assertThrows(MatrixException.class, () -> client.call("GET",
                "/_matrix/client/v3/profile/" + HomeserverClient.enc("@_kit_unknown:" + client.serverName()), null, null));
        assertEquals(404, missing.status());
    }

    private static HttpResponse<String> put(String path, String token, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.port() + path))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String errcode(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject().getString("errcode");
    }

    @Test
    void transactionsAreAuthenticatedAndProcessedOnceEvenAfterARestart() throws Exception {
        String txn = "{\"events\":[{\"type\":\"m.room.message\",\"event_id\":\"$manual1\",\"room_id\":\"!r:x\",\"content\":{}}]}";
        assertEquals(401, put("/_matrix/app/v1/transactions/t1", null, txn).statusCode());
        assertEquals("M_MISSING_TOKEN", errcode(put("/_matrix/app/v1/transactions/t1", null, txn)));
        var wrong = put("/_matrix/app/v1/transactions/t1", "not-the-token", txn);
        assertEquals(403, wrong.statusCode());
        assertEquals("M_FORBIDDEN", errcode(wrong));
        assertEquals(0, EVENTS.count("$manual1"));

        assertEquals(200, put("/_matrix/app/v1/transactions/t1", registration.hsToken(), txn).statusCode());
        assertEquals(200, put("/_matrix/app/v1/transactions/t1", registration.hsToken(), txn).statusCode());
        assertEquals(200, put("/transactions/t1", registration.hsToken(), txn).statusCode());
        var legacyQuery = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.port()
                        + "/transactions/t1?access_token=" + registration.hsToken()))
                .PUT(HttpRequest.BodyPublishers.ofString(txn)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, legacyQuery.statusCode());
        assertEquals(1, EVENTS.count("$manual1"));
        assertEquals(400, put("/_matrix/app/v1/transactions/t2", registration.hsToken(), "{not json").statusCode());
        var query = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.port()
                + "/_matrix/app/v1/users/%40_kit_x%3Ax")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, query.statusCode());
        var unknown = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listener.port()
                        + "/_matrix/app/v1/no/such/endpoint")).header("Authorization", "Bearer " + registration.hsToken())
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());
        assertEquals("M_UNRECOGNIZED", errcode(unknown));

        // A failing handler fails the transaction (the homeserver retries), and it is not marked done.
        String failing = "{\"events\":[{\"type\":\"test.fail\",\"event_id\":\"$fail1\",\"room_id\":\"!r:x\",\"content\":{}}]}";
        EVENTS.failNext.set(true);
        assertEquals(500, put("/_matrix/app/v1/transactions/t3", registration.hsToken(), failing).statusCode());
        assertFalse(store.isDone("t3"));
        assertEquals(200, put("/_matrix/app/v1/transactions/t3", registration.hsToken(), failing).statusCode());
        assertEquals(1, EVENTS.count("$fail1"));

        // The log is in MariaDB: a restarted bridge (new store, new receiver) still skips t1.
        try (BridgeStore again = BridgeStore.open(registration.id(), homeserver.storeJdbcUrl(), "root", "");
             BridgeListener second = BridgeListener.start("127.0.0.1", 0, new TransactionReceiver(registration, EVENTS, again))) {
            var replay = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second.port()
                            + "/_matrix/app/v1/transactions/t1")).header("Authorization", "Bearer " + registration.hsToken())
                    .PUT(HttpRequest.BodyPublishers.ofString(txn)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, replay.statusCode());
            assertEquals(1, EVENTS.count("$manual1"));
        }
    }

    @Test
    void theStoreKeepsMappingsPerBridgeUnderItsOwnHistoryTable() throws Exception {
        store.putMapping(new BridgeStore.Mapping("room", "irc:#hearth", "!a:x", null));
        store.putMapping(new BridgeStore.Mapping("room", "irc:#hearth", "!b:x", "{\"n\":1}"));
        try (BridgeStore other = BridgeStore.open("other-bridge", homeserver.storeJdbcUrl(), "root", "")) {
            assertTrue(other.byRemote("room", "irc:#hearth").isEmpty());
            other.putMapping(new BridgeStore.Mapping("room", "irc:#hearth", "!c:x", null));
            try (var c = other.dataSource().getConnection(); var rs = c.getMetaData().getTables(null, null,
                    "flyway_schema_history_bridge_other_bridge", null)) {
                assertTrue(rs.next(), "the history table of the second bridge");
            }
        }
        var mapping = store.byRemote("room", "irc:#hearth").orElseThrow();
        assertEquals("!b:x", mapping.matrixId());
        assertEquals("{\"n\":1}", mapping.data());
        assertEquals(List.of(mapping), store.byMatrix("room", "!b:x"));
        store.deleteMapping("room", "irc:#hearth");
        assertTrue(store.byRemote("room", "irc:#hearth").isEmpty());
    }
}
