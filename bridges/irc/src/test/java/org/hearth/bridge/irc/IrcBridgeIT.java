package org.hearth.bridge.irc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.hearth.bridge.appservice.BridgeListener;
import org.hearth.bridge.appservice.BridgeStore;
import org.hearth.bridge.appservice.HomeserverClient;
import org.hearth.bridge.appservice.HomeserverUnderTest;
import org.hearth.bridge.appservice.Registration;
import org.hearth.bridge.appservice.TransactionReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The relay between a real homeserver (Hearth here, another one through HomeserverUnderTest's properties) and a
 * real IRC server (ngircd, started here): a Matrix user and a raw-socket IRC user talk both ways in a linked room.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IrcBridgeIT {
    static final String CHANNEL = "#hearth";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static NgIrcd ircd;
    static Registration registration;
    static HomeserverUnderTest homeserver;
    static BridgeStore store;
    static HomeserverClient client;
    static IrcBridge bridge;
    static BridgeListener listener;
    static User alice;
    static String room;
    static RawIrcClient carol;

    record User(String userId, String token) {}

    @BeforeAll
    static void start() throws Exception {
        ircd = new NgIrcd();
        ircd.start();
        Registration r = HomeserverUnderTest.registration("irc", "ircbridge", "irc_");
        registration = HomeserverUnderTest.external() ? r
                : r.withAliases("#" + java.util.regex.Pattern.quote("irc_") + ".*").withProtocols(List.of("irc"));
        homeserver = HomeserverUnderTest.start(registration);
        store = BridgeStore.open(registration.id(), homeserver.storeJdbcUrl(), "root", "");
        client = new HomeserverClient(homeserver.baseUrl(), registration);
        bridge = new IrcBridge(client, store, new IrcConfig("127.0.0.1", ircd.port, "relaybot", "testnet", "irc_",
                20, 10, Map.of(), homeserver.baseUrl().toString()));
        listener = BridgeListener.start("127.0.0.1", HomeserverUnderTest.bridgePort(registration),
                new TransactionReceiver(registration, bridge, store));
        bridge.start();
        assertTrue(bridge.relay().awaitRegistered(60, java.util.concurrent.TimeUnit.SECONDS));

        alice = registerUser("alice" + suffix());
        JsonObject created = http("POST", "/_matrix/client/v3/createRoom", alice.token(), Json.createObjectBuilder()
                .add("preset", "public_chat").add("invite", Json.createArrayBuilder().add(client.botUserId()))
                .add("power_level_content_override", Json.createObjectBuilder().add("users", Json.createObjectBuilder()
                        .add(client.botUserId(), 100)))
                .build());
        assertEquals(200, created.getInt("_status"), created.toString());
        room = created.getString("room_id");
        awaitEvent(alice, e -> "m.room.member".equals(e.getString("type")) && client.botUserId().equals(e.getString("state_key"))
                && "join".equals(e.getJsonObject("content").getString("membership")));
        // carol opens the channel (so she is op and may set its topic), then gives the relay bot op for its own TOPIC/KICK
        carol = new RawIrcClient(ircd.port, "carol");
        carol.join(CHANNEL);
        say(alice, "!irc link " + CHANNEL);
        awaitNotice(alice, "Linked to " + CHANNEL);
        carol.await(l -> l.matches(":relaybot!\\S+ JOIN :?#hearth"));
        carol.send("MODE " + CHANNEL + " +o relaybot");
        carol.await(l -> l.contains(" MODE #hearth +o relaybot"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (carol != null) {
            carol.close();
        }
        if (bridge != null) {
            bridge.close();
        }
        if (listener != null) {
            listener.close();
        }
        if (store != null) {
            store.close();
        }
        if (homeserver != null) {
            homeserver.close();
        }
        if (ircd != null) {
            ircd.close();
        }
    }

    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 6);
    }

    @Test
    @Order(1)
    void aMatrixMessageReachesIrcThroughTheRelayBotAndAnIrcMessageReachesMatrix() throws Exception {
        String local = alice.userId().substring(1, alice.userId().indexOf(':'));
        say(alice, "hello irc");
        carol.await(l -> l.matches(":relaybot!\\S+ PRIVMSG #hearth :<" + local + "> hello irc"));

        carol.send("PRIVMSG #hearth :hi matrix");
        JsonObject e = awaitEvent(alice, ev -> body(ev).equals("hi matrix"));
        String ghost = "@irc_carol:" + client.serverName();
        assertEquals(ghost, e.getString("sender"));
        assertEquals("m.text", e.getJsonObject("content").getString("msgtype"));
        assertEquals("carol", http("GET", "/_matrix/client/v3/profile/" + enc(ghost) + "/displayname", alice.token(), null)
                .getString("displayname"));

        carol.send("PRIVMSG #hearth :\u0001ACTION waves\u0001");
        assertEquals("m.emote", awaitEvent(alice, ev -> body(ev).equals("waves")).getJsonObject("content").getString("msgtype"));
        carol.send("NOTICE #hearth :a notice");
        assertEquals("m.notice", awaitEvent(alice, ev -> body(ev).equals("a notice")).getJsonObject("content").getString("msgtype"));
        send(alice, Json.createObjectBuilder().add("msgtype", "m.emote").add("body", "dances").build());
        carol.await(l -> l.endsWith("PRIVMSG #hearth :* " + local + " dances"));
    }

    @Test
    @Order(2)
    void formattingCrossesBothWays() throws Exception {
        carol.send("PRIVMSG #hearth :\u0002bold\u0002 and \u000304red\u0003 and \u001Ditalic\u000F plain");
        JsonObject content = awaitEvent(alice, ev -> body(ev).equals("bold and red and italic plain")).getJsonObject("content");
        assertEquals("org.matrix.custom.html", content.getString("format"));
        assertEquals("<b>bold</b> and <font data-mx-color=\"#FF0000\">red</font> and <i>italic</i> plain",
                content.getString("formatted_body"));

        send(alice, Json.createObjectBuilder().add("msgtype", "m.text").add("body", "strong and it")
                .add("format", "org.matrix.custom.html")
                .add("formatted_body", "<strong>strong</strong> and <em>it</em> <font color=\"#ff0000\">r</font>").build());
        carol.await(l -> l.endsWith("> \u0002strong\u0002 and \u001Dit\u001D \u000304r\u0003"));
    }

    @Test
    @Order(3)
    void aLongMultiLineMessageIsSplitIntoValidIrcLines() throws Exception {
        StringBuilder text = new StringBuilder("first line\n");
        while (text.length() < 1500) {
            text.append("héllo wörld ünïcödé ");   // multi-byte characters, so a byte cut could land mid-character
        }
        text.append("END");
        String sent = text.toString();
        say(alice, sent);
        List<byte[]> lines = new ArrayList<>();
        lines.add(carol.awaitBytes(l -> l.endsWith("> first line")));
        while (!new String(lines.getLast(), StandardCharsets.UTF_8).endsWith("END")) {
            lines.add(carol.awaitBytes(l -> l.contains("PRIVMSG #hearth :<")));
        }
        StringBuilder joined = new StringBuilder();
        for (byte[] line : lines) {
            assertTrue(line.length + 2 <= 512, "a line of " + line.length + " bytes");
            // strict decoding: a character cut in half would throw here
            String s = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(line)).toString();
            joined.append(s.substring(s.indexOf("> ") + 2)).append(' ');
        }
        assertTrue(lines.size() >= 5, "1,500 bytes of text need several lines, got " + lines.size());
        assertEquals(sent.replaceAll("\\s+", " "), joined.toString().strip().replaceAll("\\s+", " "));
    }

    @Test
    @Order(4)
    void editsAndRepliesAreSentAsLines() throws Exception {
        String original = say(alice, "a typo heer");
        send(alice, Json.createObjectBuilder().add("msgtype", "m.text").add("body", "* a typo here")
                .add("m.new_content", Json.createObjectBuilder().add("msgtype", "m.text").add("body", "a typo here"))
                .add("m.relates_to", Json.createObjectBuilder().add("rel_type", "m.replace").add("event_id", original)).build());
        carol.await(l -> l.endsWith("> * a typo here"));
        send(alice, Json.createObjectBuilder().add("msgtype", "m.text").add("body", "> <" + alice.userId() + "> a typo heer\n\nmy answer")
                .add("m.relates_to", Json.createObjectBuilder().add("m.in_reply_to", Json.createObjectBuilder().add("event_id", original))).build());
        carol.await(l -> l.contains("> > <") && l.endsWith("> a typo heer"));
        carol.await(l -> l.endsWith("> my answer"));
    }

    @Test
    @Order(5)
    void nickChangesAndTopicsCross() throws Exception {
        String server = client.serverName();
        carol.send("NICK carol2");
        awaitEvent(alice, ev -> "m.room.member".equals(ev.getString("type")) && ("@irc_carol2:" + server).equals(ev.getString("state_key"))
                && "join".equals(ev.getJsonObject("content").getString("membership")));
        awaitEvent(alice, ev -> "m.room.member".equals(ev.getString("type")) && ("@irc_carol:" + server).equals(ev.getString("state_key"))
                && "leave".equals(ev.getJsonObject("content").getString("membership")));

        http("PUT", "/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.topic/", alice.token(),
                Json.createObjectBuilder().add("topic", "from matrix").build());
        carol.await(l -> l.matches(":relaybot!\\S+ TOPIC #hearth :from matrix"));

        carol.send("TOPIC #hearth :from irc");
        awaitEvent(alice, ev -> "m.room.topic".equals(ev.getString("type"))
                && "from irc".equals(ev.getJsonObject("content").getString("topic")));
        carol.send("NICK carol");
        carol.await(l -> l.contains("NICK") && l.contains("carol"));
    }

    @Test
    @Order(6)
    void invalidUtf8FromIrcArrivesAsLatin1() throws Exception {
        carol.sendBytes("PRIVMSG #hearth :caf\u00e9 au lait\r\n".getBytes(StandardCharsets.ISO_8859_1));
        awaitEvent(alice, ev -> body(ev).equals("café au lait"));
    }

    @Test
    @Order(6)
    void partsQuitsAndKicksOnIrcMakeTheVirtualUsersLeave() throws Exception {
        String server = client.serverName();
        try (RawIrcClient dave = new RawIrcClient(ircd.port, "dave"); RawIrcClient erin = new RawIrcClient(ircd.port, "erin")) {
            dave.join(CHANNEL);
            erin.join(CHANNEL);
            awaitMembership("@irc_dave:" + server, "join");
            awaitMembership("@irc_erin:" + server, "join");
            erin.send("QUIT :bye");
            awaitMembership("@irc_erin:" + server, "leave");
            carol.send("KICK #hearth dave :behave");
            awaitMembership("@irc_dave:" + server, "leave");
            awaitNotice(alice, "dave was kicked from #hearth by carol (behave)");
        }
    }

    static void awaitMembership(String userId, String membership) throws Exception {
        awaitEvent(alice, ev -> "m.room.member".equals(ev.getString("type")) && userId.equals(ev.getString("state_key"))
                && membership.equals(ev.getJsonObject("content").getString("membership")));
    }

    @Test
    @Order(7)
    void aPuppetedUserSpeaksOnIrcUnderTheirOwnNick() throws Exception {
        User bob = registerUser("bob" + suffix());
        http("PUT", "/_matrix/client/v3/profile/" + enc(bob.userId()) + "/displayname", bob.token(),
                Json.createObjectBuilder().add("displayname", "Bobby").build());
        http("POST", "/_matrix/client/v3/join/" + enc(room), bob.token(), Json.createObjectBuilder().build());
        say(bob, "!irc puppet on");
        carol.await(l -> l.matches(":Bobby!\\S+ JOIN :?#hearth"));
        say(bob, "as myself");
        carol.await(l -> l.matches(":Bobby!\\S+ PRIVMSG #hearth :as myself"));
        send(bob, Json.createObjectBuilder().add("msgtype", "m.emote").add("body", "nods").build());
        carol.await(l -> l.matches(":Bobby!\\S+ PRIVMSG #hearth :\u0001ACTION nods\u0001"));
        // the puppet's own lines are not relayed back into the room by the relay bot
        carol.send("PRIVMSG #hearth :after the puppet");
        awaitEvent(alice, ev -> body(ev).equals("after the puppet"));
        assertEquals(0, events(alice).stream().filter(ev -> ev.getString("sender").startsWith("@irc_bobby")).count());
        say(bob, "!irc puppet off");
        carol.await(l -> l.matches(":Bobby!\\S+ QUIT.*"));
    }

    @Test
    @Order(8)
    void thirdPartyLookupsGoThroughTheHomeserverToTheBridge() throws Exception {
        JsonObject protocols = http("GET", "/_matrix/client/v3/thirdparty/protocols", alice.token(), null);
        JsonObject irc = protocols.getJsonObject("irc");
        assertEquals("testnet", irc.getJsonArray("instances").getJsonObject(0).getString("network_id"));
        assertEquals("nick", irc.getJsonArray("user_fields").getString(0));

        JsonObject user = http("GET", "/_matrix/client/v3/thirdparty/user/irc?nick=Some_Nick", alice.token(), null);
        assertEquals(200, user.getInt("_status"));
        assertEquals("@irc_some__nick:" + client.serverName(), arr(user).getJsonObject(0).getString("userid"));

        // The channel has a topic before any room is linked to it: the new room starts with it.
        carol.join("#portal");
        carol.send("TOPIC #portal :the portal's topic");
        carol.await(l -> l.contains("TOPIC #portal"));
        JsonObject location = http("GET", "/_matrix/client/v3/thirdparty/location/irc?channel=" + enc("#portal"), alice.token(), null);
        String alias = arr(location).getJsonObject(0).getString("alias");
        assertEquals("#irc_portal:" + client.serverName(), alias);
        JsonObject joined = http("POST", "/_matrix/client/v3/join/" + enc(alias), alice.token(), Json.createObjectBuilder().build());
        assertEquals(200, joined.getInt("_status"), joined.toString());
        assertEquals(joined.getString("room_id"), bridge.roomFor("#portal").orElseThrow());
        String portalTopic = "/_matrix/client/v3/rooms/" + enc(joined.getString("room_id")) + "/state/m.room.topic/";
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        JsonObject topic = http("GET", portalTopic, alice.token(), null);
        while (!"the portal's topic".equals(topic.getString("topic", "")) && System.nanoTime() < until) {
            Thread.sleep(200);
            topic = http("GET", portalTopic, alice.token(), null);
        }
        assertEquals("the portal's topic", topic.getString("topic", ""), topic.toString());

        JsonObject bad = http("GET", "/_matrix/client/v3/thirdparty/location/irc?channel=nochannel", alice.token(), null);
        assertEquals(200, bad.getInt("_status"));
        assertTrue(arr(bad).isEmpty(), "not a channel: no location");

        // Reverse lookups: from the Matrix alias or user ID back to the channel or nick.
        JsonObject byAlias = http("GET", "/_matrix/client/v3/thirdparty/location?alias=" + enc(alias), alice.token(), null);
        assertEquals(200, byAlias.getInt("_status"), byAlias.toString());
        assertEquals("#portal", arr(byAlias).getJsonObject(0).getJsonObject("fields").getString("channel"));
        JsonObject byUser = http("GET", "/_matrix/client/v3/thirdparty/user?userid="
                + enc("@irc_some__nick:" + client.serverName()), alice.token(), null);
        assertEquals(200, byUser.getInt("_status"), byUser.toString());
        assertEquals("some_nick", arr(byUser).getJsonObject(0).getJsonObject("fields").getString("nick"));
        JsonObject notOurs = http("GET", "/_matrix/client/v3/thirdparty/user?userid="
                + enc("@someone:" + client.serverName()), alice.token(), null);
        assertTrue(notOurs.getInt("_status") == 404 || arr(notOurs).isEmpty(), notOurs.toString());

        // Inviting the virtual user of a nick the bridge has never seen: the homeserver asks the bridge, which
        // registers it, so the invite goes through.
        String unseen = "@irc_newcomer:" + client.serverName();
        String own = http("POST", "/_matrix/client/v3/createRoom", alice.token(), Json.createObjectBuilder().build())
                .getString("room_id");
        JsonObject invited = http("POST", "/_matrix/client/v3/rooms/" + enc(own) + "/invite",
                alice.token(), Json.createObjectBuilder().add("user_id", unseen).build());
        assertEquals(200, invited.getInt("_status"), invited.toString());
    }

    @Test
    @Order(9)
    void aTransactionWithAWrongTokenIsRefused() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(registration.url() + "/_matrix/app/v1/transactions/x"))
                .header("Authorization", "Bearer wrong").PUT(HttpRequest.BodyPublishers.ofString("{\"events\":[]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("M_FORBIDDEN"));
    }

    @Test
    @Order(10)
    void theBridgeReconnectsWhenTheIrcServerRestarts() throws Exception {
        int before = bridge.relay().connects();
        carol.close();
        ircd.kill();
        ircd.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (bridge.relay().connects() == before && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertTrue(bridge.relay().connects() > before, "the relay bot never reconnected");
        carol = new RawIrcClient(ircd.port, "carol");
        carol.join(CHANNEL);
        String local = alice.userId().substring(1, alice.userId().indexOf(':'));
        say(alice, "after the restart");
        carol.await(l -> l.matches(":relaybot!\\S+ PRIVMSG #hearth :<" + local + "> after the restart"));
    }

    // ---- helpers

    static jakarta.json.JsonArray arr(JsonObject wrapped) {
        return wrapped.getJsonArray("_array");
    }

    static String body(JsonObject event) {
        return event.get("content") instanceof JsonObject c ? c.getString("body", "") : "";
    }

    static String say(User user, String text) throws Exception {
        return send(user, Json.createObjectBuilder().add("msgtype", "m.text").add("body", text).build());
    }

    static String send(User user, JsonObject content) throws Exception {
        JsonObject r = http("PUT", "/_matrix/client/v3/rooms/" + enc(room) + "/send/m.room.message/" + UUID.randomUUID(),
                user.token(), content);
        return r.getString("event_id");
    }

    static List<JsonObject> events(User user) throws Exception {
        JsonObject messages = http("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=200", user.token(), null);
        List<JsonObject> out = new ArrayList<>();
        for (JsonValue v : messages.getJsonArray("chunk")) {
            out.add(v.asJsonObject());
        }
        return out;
    }

    static JsonObject awaitEvent(User user, Predicate<JsonObject> match) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (JsonObject e : events(user)) {
                if (match.test(e)) {
                    return e;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no matching event in " + room + ": " + events(user));
    }

    static void awaitNotice(User user, String contains) throws Exception {
        awaitEvent(user, e -> e.get("content") instanceof JsonObject c && "m.notice".equals(c.getString("msgtype", ""))
                && c.getString("body", "").contains(contains));
    }

    static JsonObject http(String method, String path, String token, JsonObject body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(homeserver.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonValue v = Json.createReader(new StringReader(response.body())).readValue();
        var out = v instanceof JsonObject o ? Json.createObjectBuilder(o) : Json.createObjectBuilder().add("_array", v);
        return out.add("_status", response.statusCode()).build();
    }

    static User registerUser(String localpart) throws Exception {
        var body = Json.createObjectBuilder().add("username", localpart).add("password", "a long test password 1");
        JsonObject first = http("POST", "/_matrix/client/v3/register", null, body.build());
        JsonObject done = http("POST", "/_matrix/client/v3/register", null, body.add("auth",
                Json.createObjectBuilder().add("type", "m.login.dummy").add("session", first.getString("session"))).build());
        return new User(done.getString("user_id"), done.getString("access_token"));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
