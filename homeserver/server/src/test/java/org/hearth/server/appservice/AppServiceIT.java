package org.hearth.server.appservice;

import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.hearth.server.TestServer;
import org.hearth.server.TestServer.User;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Application Service API over real HTTP: a test appservice (an HTTP server on loopback) registered through
 * {@code app_service_config_files}, recording the transactions and pings the homeserver sends it.
 */
class AppServiceIT {
    static final String AS_TOKEN = "as-token-test";
    static final String HS_TOKEN = "hs-token-test";
    static final FakeAppService APPSERVICE = FakeAppService.start();

    // Two more appservices: one without a URL, one whose URL nothing listens on.
    static final Path NO_URL = extraRegistration("nourl", "null");
    static final Path DEAD = extraRegistration("dead", "http://127.0.0.1:" + closedPort());

    @RegisterExtension
    static final TestServer SERVER = TestServer.withScratchDatabase()
            .with("app_service_config_files", APPSERVICE.registration() + "," + NO_URL + "," + DEAD);

    static Path extraRegistration(String id, String url) {
        try {
            Path file = Files.createTempFile("appservice-" + id + "-", ".yaml");
            file.toFile().deleteOnExit();
            return Files.writeString(file, """
                    id: %s
                    url: %s
                    as_token: as-%s
                    hs_token: hs-%s
                    sender_localpart: %sbot
                    namespaces:
                      users:
                        - exclusive: true
                          regex: '@_%s_.*'
                    """.formatted(id, url, id, id, id, id));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int closedPort() {
        try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** The appservice acting as {@code userId} (its sender when null). */
    static User as(String userId) {
        return new User(SERVER, userId, null, AS_TOKEN);
    }

    static String asUser(String path, String userId) {
        return path + (path.contains("?") ? "&" : "?") + "user_id=" + enc(userId);
    }

    String domain() {
        return SERVER.serverName();
    }

    String bot() {
        return "@testbot:" + domain();
    }

    @Test
    void whoamiAssertsTheSenderAndNamespacedUsersOnly() {
        var me = as(bot()).get("/_matrix/client/v3/account/whoami").assertStatus(200).json();
        assertEquals(bot(), me.getString("user_id"));
        as(bot()).get(asUser("/_matrix/client/v3/account/whoami", "@_test_nobody:" + domain())).assertError(403, "M_FORBIDDEN");
        as(bot()).get(asUser("/_matrix/client/v3/account/whoami", "@alice:" + domain())).assertError(403, "M_FORBIDDEN");
        new User(SERVER, bot(), null, "not-a-token").get("/_matrix/client/v3/account/whoami").assertError(401, "M_UNKNOWN_TOKEN");
    }

    @Test
    void registrationByTheAppServiceAndExclusiveNamespaces() {
        String register = "/_matrix/client/v3/register";
        as(null).post(register, json("type", "m.login.application_service", "username", "_test_reg1", "inhibit_login", true))
                .assertStatus(200);
        var ghost = "@_test_reg1:" + domain();
        assertEquals(ghost, as(null).get(asUser("/_matrix/client/v3/account/whoami", ghost)).assertStatus(200).json().getString("user_id"));
        // Again: taken. Outside the namespace: M_EXCLUSIVE. Without a token: 401.
        as(null).post(register, json("type", "m.login.application_service", "username", "_test_reg1"))
                .assertError(400, "M_USER_IN_USE");
        as(null).post(register, json("type", "m.login.application_service", "username", "outsider"))
                .assertError(400, "M_EXCLUSIVE");
        SERVER.client("POST", register, java.net.http.HttpRequest.BodyPublishers.ofString(
                json("type", "m.login.application_service", "username", "_test_x").toString()), "Content-Type", "application/json")
                .assertError(401, "M_MISSING_TOKEN");
        User alice = SERVER.register("regalice");
        alice.post(register, json("type", "m.login.application_service", "username", "_test_y")).assertError(401, "M_UNKNOWN_TOKEN");
        // Everyone else is kept out of the exclusive namespace.
        SERVER.client("POST", register, java.net.http.HttpRequest.BodyPublishers.ofString(
                json("username", "bridged_carol", "password", "pw-pw-pw-pw").toString()), "Content-Type", "application/json")
                .assertError(400, "M_EXCLUSIVE");
        SERVER.client("GET", "/_matrix/client/v3/register/available?username=bridged_carol").assertError(400, "M_EXCLUSIVE");
        // A registration with login gets a token that works as the ghost itself.
        var login = as(null).post(register, json("type", "m.login.application_service", "username", "bridged_dave"))
                .assertStatus(200).json();
        var dave = new User(SERVER, login.getString("user_id"), login.getString("device_id"), login.getString("access_token"));
        assertEquals("@bridged_dave:" + domain(), dave.get("/_matrix/client/v3/account/whoami").assertStatus(200).json().getString("user_id"));
        // And m.login.application_service login as a namespaced user; outside it: M_EXCLUSIVE.
        var relogin = as(null).post("/_matrix/client/v3/login", json("type", "m.login.application_service",
                "identifier", json("type", "m.id.user", "user", "bridged_dave"))).assertStatus(200).json();
        assertEquals("@bridged_dave:" + domain(), relogin.getString("user_id"));
        as(null).post("/_matrix/client/v3/login", json("type", "m.login.application_service",
                "identifier", json("type", "m.id.user", "user", "regalice"))).assertError(403, "M_EXCLUSIVE");
    }

    @Test
    void mautrixStyleStartJoinSendWithTsAndTransactions() throws Exception {
        // whoami as the bot, register the bot (already there: M_USER_IN_USE, tolerated), register a ghost.
        as(null).get("/_matrix/client/v3/account/whoami").assertStatus(200);
        as(null).post("/_matrix/client/v3/register", json("type", "m.login.application_service", "username", "testbot",
                "inhibit_login", true)).assertError(400, "M_USER_IN_USE");
        String ghost = "@_test_ghost:" + domain();
        as(null).get(asUser("/_matrix/client/v3/account/whoami", ghost)).assertError(403, "M_FORBIDDEN");
        as(null).post("/_matrix/client/v3/register", json("type", "m.login.application_service", "username", "_test_ghost",
                "inhibit_login", true)).assertStatus(200);

        User alice = SERVER.register("startalice");
        String room = alice.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                .json().getString("room_id");
        // The ghost joins through user_id assertion; the bot joins as itself.
        as(null).post(asUser("/_matrix/client/v3/join/" + enc(room), ghost), json()).assertStatus(200);
        as(null).post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
        // The bot sends with ts; the event carries it.
        String sent = as(null).put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/t1?ts=1234567890",
                json("msgtype", "m.text", "body", "hello from the bridge")).assertStatus(200).json().getString("event_id");
        var event = alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/event/" + enc(sent)).assertStatus(200).json();
        assertEquals(1234567890L, event.getJsonNumber("origin_server_ts").longValue());
        as(null).put(asUser("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.topic/?ts=42", ghost), json("topic", "t"))
                .assertError(403, "M_FORBIDDEN"); // the ghost has no power for topics: a forbidden action is 403, not 500
        as(null).put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/t2?ts=soon", json("body", "x"))
                .assertError(400, "M_INVALID_PARAM");
        // alice's message in a room where a namespaced user is joined reaches the appservice, with the hs_token.
        String fromAlice = alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/a1",
                json("msgtype", "m.text", "body", "hi ghost")).assertStatus(200).json().getString("event_id");
        APPSERVICE.awaitEvent(e -> e.getString("event_id").equals(fromAlice));
        assertTrue(APPSERVICE.receivedEventIds().contains(sent));
        assertTrue(APPSERVICE.authorizations.stream().allMatch(("Bearer " + HS_TOKEN)::equals));
        // Transactions came in order, each ID once.
        List<Long> ids = APPSERVICE.transactions.stream().map(FakeAppService.Txn::id).toList();
        assertEquals(ids.stream().distinct().sorted().toList(), ids);

        // Ping: both ways.
        var pong = as(null).post("/_matrix/client/v1/appservice/test/ping", json("transaction_id", "mautrix-ping-1"))
                .assertStatus(200).json();
        assertTrue(pong.getJsonNumber("duration_ms").longValue() >= 0);
        assertTrue(APPSERVICE.pings.contains("mautrix-ping-1"));
        as(null).post("/_matrix/client/v1/appservice/other/ping", json()).assertError(403, "M_FORBIDDEN");
        alice.post("/_matrix/client/v1/appservice/test/ping", json()).assertError(403, "M_FORBIDDEN");
        APPSERVICE.pingStatus = 401;
        var bad = as(null).post("/_matrix/client/v1/appservice/test/ping", json()).assertError(502, "M_BAD_STATUS").json();
        assertEquals(401, bad.getInt("status"));
        APPSERVICE.pingStatus = 200;
        new User(SERVER, null, null, "as-nourl").post("/_matrix/client/v1/appservice/nourl/ping", json())
                .assertError(400, "M_URL_NOT_SET");
        new User(SERVER, null, null, "as-dead").post("/_matrix/client/v1/appservice/dead/ping", json())
                .assertError(502, "M_CONNECTION_FAILED");
        // Each appservice acts only as its own users.
        new User(SERVER, null, null, "as-dead").get(asUser("/_matrix/client/v3/account/whoami", bot()))
                .assertError(403, "M_FORBIDDEN");
        assertEquals("@deadbot:" + domain(), new User(SERVER, null, null, "as-dead")
                .get("/_matrix/client/v3/account/whoami").assertStatus(200).json().getString("user_id"));
    }

    @Test
    void exclusiveAliasesAndTheAppServiceRoomDirectory() {
        User alice = SERVER.register("aliasalice");
        String room = alice.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        String alias = "#_test_lobby:" + domain();
        alice.put("/_matrix/client/v3/directory/room/" + enc(alias), json("room_id", room)).assertError(400, "M_EXCLUSIVE");
        as(null).put("/_matrix/client/v3/directory/room/" + enc("#elsewhere:" + domain()), json("room_id", room))
                .assertError(400, "M_EXCLUSIVE");
        as(null).put("/_matrix/client/v3/directory/room/" + enc(alias), json("room_id", room)).assertStatus(200);
        alice.put("/_matrix/client/v3/directory/room/" + enc("#free:" + domain()), json("room_id", room)).assertStatus(200);

        String list = "/_matrix/client/v3/directory/list/appservice/irc.example/" + enc(room);
        as(null).put(list, json("visibility", "public")).assertStatus(200);
        as(null).put(list, json("visibility", "private")).assertStatus(200);
        as(null).put(list, json("visibility", "hidden")).assertError(400, "M_INVALID_PARAM");
        as(null).put(list, json()).assertError(400, "M_MISSING_PARAM");
        as(null).put("/_matrix/client/v3/directory/list/appservice/irc.example/" + enc("!nope:" + domain()),
                json("visibility", "public")).assertError(404, "M_NOT_FOUND");
        alice.put(list, json("visibility", "public")).assertError(403, "M_FORBIDDEN");
    }

    @Test
    void appServiceListingsAppearInPublicRoomsByNetwork() {
        User alice = SERVER.register("listalice");
        String bridged = alice.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        String published = alice.post("/_matrix/client/v3/createRoom", json("visibility", "public")).assertStatus(200)
                .json().getString("room_id");
        String list = "/_matrix/client/v3/directory/list/appservice/libera/" + enc(bridged);
        as(null).put(list, json("visibility", "public")).assertStatus(200);

        // The default is this server's own directory; an instance lists only its network; all networks lists both.
        assertEquals(List.of(false, true), listed(alice, json(), bridged, published));
        assertEquals(List.of(true, false), listed(alice, json("third_party_instance_id", "test|libera"), bridged, published));
        assertEquals(List.of(false, false), listed(alice, json("third_party_instance_id", "test|oftc"), bridged, published));
        assertEquals(List.of(false, false), listed(alice, json("third_party_instance_id", "dead|libera"), bridged, published));
        assertEquals(List.of(true, true), listed(alice, json("include_all_networks", true), bridged, published));
        // GET has no network parameters: this server's directory.
        var chunk = alice.get("/_matrix/client/v3/publicRooms").assertStatus(200).json().getJsonArray("chunk");
        assertTrue(chunk.stream().noneMatch(r -> r.asJsonObject().getString("room_id").equals(bridged)));

        as(null).put(list, json("visibility", "private")).assertStatus(200);
        assertEquals(List.of(false, false), listed(alice, json("third_party_instance_id", "test|libera"), bridged, published));
        assertEquals(List.of(false, true), listed(alice, json("include_all_networks", true), bridged, published));
    }

    private static List<Boolean> listed(User who, JsonObject request, String... rooms) {
        var ids = who.post("/_matrix/client/v3/publicRooms", request).assertStatus(200).json().getJsonArray("chunk")
                .stream().map(r -> r.asJsonObject().getString("room_id")).toList();
        return java.util.Arrays.stream(rooms).map(ids::contains).toList();
    }

    @Test
    void unknownNamespacedInviteesAreQueriedBeforeTheInvite() {
        User alice = SERVER.register("invitealice");
        String invitee = "@_test_known_invitee:" + domain();
        String room = alice.post("/_matrix/client/v3/createRoom", json()).assertStatus(200).json().getString("room_id");
        alice.post("/_matrix/client/v3/rooms/" + enc(room) + "/invite", json("user_id", invitee)).assertStatus(200);
        assertTrue(APPSERVICE.queries.contains(invitee + " Bearer " + HS_TOKEN), APPSERVICE.queries.toString());
        // The appservice registered the user while answering, so the invite reached a real account.
        as(invitee).post(asUser("/_matrix/client/v3/rooms/" + enc(room) + "/join", invitee), json()).assertStatus(200);

        String atCreation = "@_test_known_creationguest:" + domain();
        String second = alice.post("/_matrix/client/v3/createRoom", json("invite", Json.arrayBuilder().add(atCreation).build()))
                .assertStatus(200).json().getString("room_id");
        assertTrue(APPSERVICE.queries.contains(atCreation + " Bearer " + HS_TOKEN), APPSERVICE.queries.toString());
        as(atCreation).post(asUser("/_matrix/client/v3/rooms/" + enc(second) + "/join", atCreation), json()).assertStatus(200);

        // A user outside every namespace is never asked about.
        alice.post("/_matrix/client/v3/rooms/" + enc(room) + "/invite", json("user_id", "@nobodyhere:" + domain()));
        assertTrue(APPSERVICE.queries.stream().noneMatch(q -> q.startsWith("@nobodyhere")));
    }

    @Test
    void transactionsSurviveAnAppServiceOutageAndAServerRestart() throws Exception {
        User alice = SERVER.register("restartalice");
        String room = alice.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                .json().getString("room_id");
        as(null).post("/_matrix/client/v3/join/" + enc(room), json()).assertStatus(200);
        APPSERVICE.down = true;
        String lost = alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/r1",
                json("msgtype", "m.text", "body", "while you were out")).assertStatus(200).json().getString("event_id");
        // The homeserver tries (and is refused) at least once before it stops.
        long deadline = System.currentTimeMillis() + 10_000;
        while (APPSERVICE.refused == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(APPSERVICE.refused > 0, "the homeserver never tried the transaction");
        SERVER.restart();
        APPSERVICE.down = false;
        APPSERVICE.awaitEvent(e -> e.getString("event_id").equals(lost));
        Thread.sleep(1500);
        assertEquals(1, APPSERVICE.receivedEventIds().stream().filter(lost::equals).count());
        // The server works after the restart, and new events still arrive.
        String after = alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/r2",
                json("msgtype", "m.text", "body", "back")).assertStatus(200).json().getString("event_id");
        APPSERVICE.awaitEvent(e -> e.getString("event_id").equals(after));
    }

    @Test
    void unknownUsersAndAliasesInTheNamespaceAreQueried() {
        User alice = SERVER.register("queryalice");
        String known = "@_test_known_bob:" + domain();
        alice.get("/_matrix/client/v3/profile/" + enc(known)).assertStatus(200);
        assertTrue(APPSERVICE.queries.contains(known + " Bearer " + HS_TOKEN), APPSERVICE.queries.toString());
        alice.get("/_matrix/client/v3/profile/" + enc("@_test_unknown:" + domain())).assertError(404, "M_NOT_FOUND");
        // Outside every namespace: never asked.
        alice.get("/_matrix/client/v3/profile/" + enc("@nobody:" + domain())).assertError(404, "M_NOT_FOUND");
        assertTrue(APPSERVICE.queries.stream().noneMatch(q -> q.startsWith("@nobody")));

        String alias = "#_test_known_lobby:" + domain();
        String room = alice.get("/_matrix/client/v3/directory/room/" + enc(alias)).assertStatus(200).json().getString("room_id");
        assertEquals(room, alice.post("/_matrix/client/v3/join/" + enc(alias), json()).assertStatus(200).json().getString("room_id"));
        String other = "#_test_known_games:" + domain();
        alice.post("/_matrix/client/v3/join/" + enc(other), json()).assertStatus(200);
        alice.get("/_matrix/client/v3/directory/room/" + enc("#_test_nothing:" + domain())).assertError(404, "M_NOT_FOUND");
    }

    @Test
    void thirdPartyLookupsGoToTheAppServicesOfTheProtocol() {
        User alice = SERVER.register("tpalice");
        var protocols = alice.get("/_matrix/client/v3/thirdparty/protocols").assertStatus(200).json();
        var irc = protocols.getJsonObject("irc");
        assertEquals("libera", irc.getJsonArray("instances").getJsonObject(0).getString("network_id"));
        alice.get("/_matrix/client/v3/thirdparty/protocol/irc").assertStatus(200);
        alice.get("/_matrix/client/v3/thirdparty/protocol/xmpp").assertError(404, "M_NOT_FOUND");
        var users = Json.parse(alice.get("/_matrix/client/v3/thirdparty/user/irc?nickname=alice").assertStatus(200).body()).asJsonArray();
        assertEquals("alice", users.getJsonObject(0).getJsonObject("fields").getString("nickname"));
        assertTrue(APPSERVICE.queries.contains("/_matrix/app/v1/thirdparty/user/irc?nickname=alice"), APPSERVICE.queries.toString());
        alice.get("/_matrix/client/v3/thirdparty/user/xmpp").assertError(404, "M_NOT_FOUND");
        var locations = Json.parse(alice.get("/_matrix/client/v3/thirdparty/location?alias=" + enc("#_test_chan:x"))
                .assertStatus(200).body()).asJsonArray();
        assertEquals(1, locations.size());
        alice.get("/_matrix/client/v3/thirdparty/location").assertError(400, "M_MISSING_PARAM");
        SERVER.client("GET", "/_matrix/client/v3/thirdparty/protocols").assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void appServiceDeviceManagementAndDeviceAssertion() {
        as(null).post("/_matrix/client/v3/register", json("type", "m.login.application_service", "username", "_test_dev",
                "inhibit_login", true)).assertStatus(200);
        String ghost = "@_test_dev:" + domain();
        String device = asUser("/_matrix/client/v3/devices/BRIDGEDEV", ghost);
        as(null).put(device, json("display_name", "Bridge")).assertStatus(201);
        as(null).put(device, json("display_name", "Bridge 2")).assertStatus(200);
        var me = as(null).get(asUser("/_matrix/client/v3/account/whoami", ghost) + "&device_id=BRIDGEDEV").assertStatus(200).json();
        assertEquals("BRIDGEDEV", me.getString("device_id"));
        assertEquals(ghost, me.getString("user_id"));
        as(null).get(asUser("/_matrix/client/v3/account/whoami", ghost) + "&device_id=NOPE").assertError(400, "M_UNKNOWN_DEVICE");
        // Without user_id, the device must be the sender's.
        as(null).get("/_matrix/client/v3/account/whoami?device_id=BRIDGEDEV").assertError(400, "M_UNKNOWN_DEVICE");
        assertEquals("Bridge 2", as(null).get(asUser("/_matrix/client/v3/devices/BRIDGEDEV", ghost)).assertStatus(200)
                .json().getString("display_name"));
        // Deleted without UIA; then unknown.
        as(null).delete(asUser("/_matrix/client/v3/devices/BRIDGEDEV", ghost)).assertStatus(200);
        as(null).delete(asUser("/_matrix/client/v3/devices/BRIDGEDEV", ghost)).assertError(404, "M_NOT_FOUND");
        as(null).put(asUser("/_matrix/client/v3/devices/D2", ghost), json()).assertStatus(201);
        as(null).post(asUser("/_matrix/client/v3/delete_devices", ghost), json("devices", Json.arrayBuilder().add("D2")))
                .assertStatus(200);
        assertEquals(0, as(null).get(asUser("/_matrix/client/v3/devices", ghost)).assertStatus(200).json()
                .getJsonArray("devices").size());
        // A regular client still cannot create devices.
        User alice = SERVER.register("devalice");
        alice.put("/_matrix/client/v3/devices/NEWDEV", json("display_name", "x")).assertError(404, "M_NOT_FOUND");
        // Keys need a device: without device_id a clear 400, with it the upload works.
        as(null).post(asUser("/_matrix/client/v3/keys/upload", ghost), json()).assertError(400, "M_UNKNOWN");
        as(null).put(asUser("/_matrix/client/v3/devices/KEYDEV", ghost), json()).assertStatus(201);
        as(null).post(asUser("/_matrix/client/v3/keys/upload", ghost) + "&device_id=KEYDEV", json()).assertStatus(200);
        // A ghost without a device still syncs (the spec asks appservices to sync as virtual users).
        as(null).get(asUser("/_matrix/client/v3/sync?timeout=0", ghost)).assertStatus(200);
    }

    /** master and self-signing keys of {@code user}, the self-signing one signed by the master. */
    private static JsonObject signingKeys(User user) {
        var master = org.hearth.server.client.E2eeKeys.crossSigningKey();
        return json("master_key", org.hearth.server.client.E2eeKeys.crossSigningKey(user, "master", master, null),
                "self_signing_key", org.hearth.server.client.E2eeKeys.crossSigningKey(user, "self_signing",
                        org.hearth.server.client.E2eeKeys.crossSigningKey(), master));
    }

    @Test
    void anAppServiceReplacesCrossSigningKeysWithoutUserInteractiveAuth() {
        // Spec v1.17 "POST /keys/device_signing/upload": no UIA "when used by an application service".
        var registered = as(null).post("/_matrix/client/v3/register", json("type", "m.login.application_service",
                "username", "_test_xsign")).assertStatus(200).json();
        String ghost = registered.getString("user_id");
        User own = new User(SERVER, ghost, registered.getString("device_id"), registered.getString("access_token"));
        String upload = asUser("/_matrix/client/v3/keys/device_signing/upload", ghost);
        as(null).post(upload, signingKeys(own)).assertStatus(200);
        // The same user through its own access token must authenticate to replace them...
        JsonObject second = signingKeys(own);
        var challenge = own.post("/_matrix/client/v3/keys/device_signing/upload", second).assertStatus(401).json();
        assertTrue(challenge.containsKey("flows"), challenge.toString());
        // ...the appservice acting for it need not.
        as(null).post(upload, second).assertStatus(200);
        JsonObject master = own.post("/_matrix/client/v3/keys/query", json("device_keys", json(ghost, Json.arrayBuilder())))
                .assertStatus(200).json().getJsonObject("master_keys").getJsonObject(ghost);
        assertEquals(second.getJsonObject("master_key").getJsonObject("keys"), master.getJsonObject("keys"));
    }

    @Test
    void ephemeralEventsAndToDeviceMessagesReachTheAppService() throws Exception {
        as(null).post("/_matrix/client/v3/register", json("type", "m.login.application_service", "username", "_test_eph",
                "inhibit_login", true)).assertStatus(200);
        String ghost = "@_test_eph:" + domain();
        as(null).put(asUser("/_matrix/client/v3/devices/EPHDEV", ghost), json()).assertStatus(201);
        User alice = SERVER.register("ephalice");
        String room = alice.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                .json().getString("room_id");
        as(null).post(asUser("/_matrix/client/v3/join/" + enc(room), ghost), json()).assertStatus(200);
        alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/typing/" + enc(alice.userId()),
                json("typing", true, "timeout", 30000)).assertStatus(200);
        APPSERVICE.awaitTransaction(t -> t.containsKey("ephemeral") && t.getJsonArray("ephemeral").stream()
                .map(v -> v.asJsonObject()).anyMatch(e -> e.getString("type").equals("m.typing")
                        && e.getString("room_id").equals(room)
                        && e.getJsonObject("content").getJsonArray("user_ids").toString().contains(alice.userId())));
        String msg = alice.put("/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/e1",
                json("msgtype", "m.text", "body", "read me")).assertStatus(200).json().getString("event_id");
        alice.post("/_matrix/client/v3/rooms/" + enc(room) + "/receipt/m.read/" + enc(msg), json()).assertStatus(200);
        APPSERVICE.awaitTransaction(t -> t.containsKey("de.sorunome.msc2409.ephemeral")
                && t.getJsonArray("de.sorunome.msc2409.ephemeral").stream().map(v -> v.asJsonObject())
                .anyMatch(e -> e.getString("type").equals("m.receipt") && e.getJsonObject("content").containsKey(msg)));
        // To-device: to the namespaced user only, under the unstable key only.
        alice.put("/_matrix/client/v3/sendToDevice/m.test/td1", json("messages", json(
                ghost, json("EPHDEV", json("secret", "for the ghost")),
                alice.userId(), json(alice.deviceId(), json("secret", "for alice"))))).assertStatus(200);
        APPSERVICE.awaitTransaction(t -> t.containsKey("de.sorunome.msc2409.to_device")
                && t.getJsonArray("de.sorunome.msc2409.to_device").stream().map(v -> v.asJsonObject())
                .anyMatch(m -> m.getString("to_user_id").equals(ghost) && m.getString("to_device_id").equals("EPHDEV")
                        && m.getString("sender").equals(alice.userId())));
        assertTrue(APPSERVICE.transactions.stream().noneMatch(t -> t.body().toString().contains("for alice")));
        assertTrue(APPSERVICE.transactions.stream().noneMatch(t -> t.body().containsKey("to_device")));
    }

    /** The appservice side: answers transactions (or 503 while down) and pings, and records what it got. */
    static final class FakeAppService {
        record Txn(long id, JsonObject body) {}

        final HttpServer http;
        final List<Txn> transactions = new CopyOnWriteArrayList<>();
        final List<String> authorizations = new CopyOnWriteArrayList<>();
        final List<String> pings = new CopyOnWriteArrayList<>();
        volatile boolean down;
        volatile int refused;
        volatile int pingStatus = 200;
        private Path registration;

        private FakeAppService(HttpServer http) {
            this.http = http;
        }

        static FakeAppService start() {
            try {
                HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                FakeAppService as = new FakeAppService(http);
                http.createContext("/_matrix/app/v1/transactions/", as::transaction);
                http.createContext("/_matrix/app/v1/ping", as::ping);
                http.createContext("/_matrix/app/v1/users/", as::userQuery);
                http.createContext("/_matrix/app/v1/rooms/", as::aliasQuery);
                http.createContext("/_matrix/app/v1/thirdparty/", as::thirdParty);
                http.start();
                as.registration = Files.createTempFile("appservice-", ".yaml");
                as.registration.toFile().deleteOnExit();
                Files.writeString(as.registration, """
                        id: test
                        url: http://127.0.0.1:%d
                        as_token: %s
                        hs_token: %s
                        sender_localpart: testbot
                        rate_limited: false
                        protocols: [irc]
                        de.sorunome.msc2409.push_ephemeral: true
                        namespaces:
                          users:
                            - exclusive: true
                              regex: '@_test_.*'
                            - exclusive: true
                              regex: '@bridged_.*'
                          aliases:
                            - exclusive: true
                              regex: '#_test_.*'
                          rooms: []
                        """.formatted(http.getAddress().getPort(), AS_TOKEN, HS_TOKEN));
                return as;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        Path registration() {
            return registration;
        }

        private void transaction(HttpExchange exchange) throws IOException {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (down) {
                refused++;
                reply(exchange, 503, "{}");
                return;
            }
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            String path = exchange.getRequestURI().getPath();
            long id = Long.parseLong(path.substring(path.lastIndexOf('/') + 1));
            // An appservice ignores a transaction ID it has seen (spec); record each once.
            if (transactions.stream().noneMatch(t -> t.id() == id)) {
                transactions.add(new Txn(id, Json.parseObject(new String(body, StandardCharsets.UTF_8))));
            }
            reply(exchange, 200, "{}");
        }

        private void ping(HttpExchange exchange) throws IOException {
            var body = Json.parseObject(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (pingStatus == 200) {
                pings.add(body.getString("transaction_id", ""));
                reply(exchange, 200, "{}");
            } else {
                reply(exchange, pingStatus, "{\"errcode\":\"M_UNKNOWN_TOKEN\"}");
            }
        }

        final List<String> queries = new CopyOnWriteArrayList<>();

        /** Knows the users @_test_known_*: registers them while answering, as bridges do. */
        private void userQuery(HttpExchange exchange) throws IOException {
            String path = java.net.URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
            String userId = path.substring(path.lastIndexOf('/') + 1);
            queries.add(userId + " " + exchange.getRequestHeaders().getFirst("Authorization"));
            if (!userId.startsWith("@_test_known_")) {
                reply(exchange, 404, "{\"errcode\":\"M_NOT_FOUND\"}");
                return;
            }
            as(null).post("/_matrix/client/v3/register", json("type", "m.login.application_service",
                    "username", userId.substring(1, userId.indexOf(':')), "inhibit_login", true)).assertStatus(200);
            reply(exchange, 200, "{}");
        }

        /** Knows the aliases #_test_known_*: creates a room with that alias while answering. */
        private void aliasQuery(HttpExchange exchange) throws IOException {
            String path = java.net.URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
            String alias = path.substring(path.lastIndexOf('/') + 1);
            queries.add(alias);
            if (!alias.startsWith("#_test_known_")) {
                reply(exchange, 404, "{\"errcode\":\"M_NOT_FOUND\"}");
                return;
            }
            as(null).post("/_matrix/client/v3/createRoom", json("preset", "public_chat",
                    "room_alias_name", alias.substring(1, alias.indexOf(':')))).assertStatus(200);
            reply(exchange, 200, "{}");
        }

        private void thirdParty(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            queries.add(path + "?" + query);
            if (path.endsWith("/protocol/irc")) {
                reply(exchange, 200, """
                        {"user_fields":["network","nickname"],"location_fields":["network","channel"],"icon":"mxc://x/y",
                         "field_types":{},"instances":[{"desc":"Libera","network_id":"libera","fields":{"network":"libera"}}]}
                        """);
            } else if (path.endsWith("/user/irc")) {
                reply(exchange, 200, "[{\"userid\":\"@_test_alice:x\",\"protocol\":\"irc\",\"fields\":{\"nickname\":\"alice\"}}]");
            } else if (path.endsWith("/thirdparty/location")) {
                reply(exchange, 200, "[{\"alias\":\"#_test_chan:x\",\"protocol\":\"irc\",\"fields\":{\"channel\":\"#chan\"}}]");
            } else {
                reply(exchange, 404, "{\"errcode\":\"M_NOT_FOUND\"}");
            }
        }

        private static void reply(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        List<String> receivedEventIds() {
            return transactions.stream().flatMap(t -> t.body().getJsonArray("events").stream())
                    .map(v -> v.asJsonObject().getString("event_id")).toList();
        }

        void awaitTransaction(Predicate<JsonObject> match) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < deadline) {
                if (transactions.stream().map(Txn::body).anyMatch(match)) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("no matching transaction; got " + transactions);
        }

        void awaitEvent(Predicate<JsonObject> match) throws InterruptedException {
            long deadline = System.currentTimeMillis() + 20_000;
            while (System.currentTimeMillis() < deadline) {
                boolean found = transactions.stream().flatMap(t -> t.body().getJsonArray("events").stream())
                        .map(v -> v.asJsonObject()).anyMatch(match);
                if (found) {
                    return;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the appservice never received the event; got " + receivedEventIds());
        }
    }
}
