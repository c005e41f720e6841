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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The invites plugin (plugins/invites), built from its sources and loaded by a running server, over real HTTP. */
class InviteLinksIT {
    private static final Path PLUGINS = pluginDir();
    private static final String BASE = "/_hearth/plugins/invites";

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000");

    private static final AtomicInteger N = new AtomicInteger();

    private static Path pluginDir() {
        try {
            Path dir = Files.createTempDirectory("hearth-plugins");
            // The module's own sources, as its Maven build compiles them (the server module cannot depend on the jar).
            PluginJars.build(dir, "invites", ">=0.5.0 & <1.0.0", Path.of("../../plugins/invites/src/main/java"),
                    Path.of("../../plugins/invites/src/main/resources"), java.util.Map.of("Plugin-Permissions", "act-as:*"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestServer.User newUser() {
        return server.register("i" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String privateRoom(TestServer.User owner) {
        return owner.post("/_matrix/client/v3/createRoom", json("preset", "private_chat")).assertStatus(200).json()
                .getString("room_id");
    }

    private static String links(String room) {
        return BASE + "/rooms/" + enc(room) + "/links";
    }

    private static String membership(TestServer.User viewer, String room, TestServer.User user) {
        return viewer.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.member/" + enc(user.userId()))
                .assertStatus(200).json().getString("membership");
    }

    @Test
    void anAdminCreatesALinkAndAnotherUserRedeemsItIntoAPrivateRoom() {
        var owner = newUser();
        var guest = newUser();
        String room = privateRoom(owner);
        // Private: the guest cannot just join.
        guest.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertError(403, "M_FORBIDDEN");

        long before = System.currentTimeMillis();
        JsonObject link = owner.post(links(room), json()).assertStatus(200).json();
        String code = link.getString("code");
        assertEquals(16, code.length());
        assertEquals(room, link.getString("room_id"));
        assertEquals(owner.userId(), link.getString("created_by"));
        long expiry = link.getJsonNumber("expires_at").longValue() - before;
        assertTrue(expiry >= 7L * 24 * 3600 * 1000 && expiry < 7L * 24 * 3600 * 1000 + 60_000, "default 7 days: " + expiry);
        assertFalse(link.containsKey("max_uses"));

        var joined = guest.post(BASE + "/links/" + code + "/redeem", json()).assertStatus(200).json();
        assertEquals(room, joined.getString("room_id"));
        assertEquals("join", membership(owner, room, guest));
        // Redeeming again while joined spends no use.
        guest.post(BASE + "/links/" + code + "/redeem", json()).assertStatus(200);
        var listed = owner.get(links(room)).assertStatus(200).json().getJsonArray("links");
        assertEquals(1, listed.size());
        assertEquals(1, listed.getJsonObject(0).getInt("uses"));
    }

    @Test
    void aSingleUseLinkIsUsedUpAfterOneRedeem() {
        var owner = newUser();
        String room = privateRoom(owner);
        String code = owner.post(links(room), json("max_uses", 1)).assertStatus(200).json().getString("code");
        newUser().post(BASE + "/links/" + code + "/redeem", json()).assertStatus(200);
        var late = newUser();
        var refused = late.post(BASE + "/links/" + code + "/redeem", json()).assertError(403, "M_FORBIDDEN");
        assertTrue(refused.json().getString("error").contains("used up"));
        owner.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.member/" + enc(late.userId()))
                .assertError(404, "M_NOT_FOUND");
    }

    @Test
    void expiredRevokedAndUnknownLinksAreRefused() throws InterruptedException {
        var owner = newUser();
        var guest = newUser();
        String room = privateRoom(owner);
        String expiring = owner.post(links(room), json("expires_in_ms", 1)).assertStatus(200).json().getString("code");
        Thread.sleep(20);
        assertTrue(guest.post(BASE + "/links/" + expiring + "/redeem", json()).assertError(403, "M_FORBIDDEN")
                .json().getString("error").contains("expired"));

        String revoked = owner.post(links(room), json()).assertStatus(200).json().getString("code");
        owner.delete(links(room) + "/" + revoked).assertStatus(200);
        guest.post(BASE + "/links/" + revoked + "/redeem", json()).assertError(404, "M_NOT_FOUND");
        var listed = owner.get(links(room)).assertStatus(200).json().getJsonArray("links");
        assertEquals(2, listed.size());
        assertTrue(listed.stream().anyMatch(l -> l.asJsonObject().getString("code").equals(revoked)
                && l.asJsonObject().getBoolean("revoked")));

        guest.post(BASE + "/links/NoSuchCode/redeem", json()).assertError(404, "M_NOT_FOUND");
        owner.delete(links(room) + "/NoSuchCode").assertError(404, "M_NOT_FOUND");
    }

    @Test
    void onlyRoomAdminsManageLinks() {
        var owner = newUser();
        var member = newUser();
        var stranger = newUser();
        String room = owner.post("/_matrix/client/v3/createRoom", json("preset", "public_chat")).assertStatus(200)
                .json().getString("room_id");
        member.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        // A member at level 0 may not change the join rules, so may not create, list or revoke links.
        member.post(links(room), json()).assertError(403, "M_FORBIDDEN");
        member.get(links(room)).assertError(403, "M_FORBIDDEN");
        String code = owner.post(links(room), json()).assertStatus(200).json().getString("code");
        member.delete(links(room) + "/" + code).assertError(403, "M_FORBIDDEN");
        stranger.post(links(room), json()).assertError(403, "M_FORBIDDEN");
        owner.post(links("!nosuchroom:" + server.serverName()), json()).assertError(404, "M_NOT_FOUND");
        // Nothing was stored by the refused requests.
        assertEquals(1, owner.get(links(room)).assertStatus(200).json().getJsonArray("links").size());
        server.client("POST", links(room), HttpRequest.BodyPublishers.ofString("{}"))
                .assertError(401, "M_MISSING_TOKEN");
    }

    @Test
    void badInputIsAMatrixErrorAndStoresNothing() {
        var owner = newUser();
        String room = privateRoom(owner);
        owner.post(links(room), json("max_uses", "3")).assertError(400, "M_BAD_JSON");
        owner.post(links(room), json("max_uses", 0)).assertError(400, "M_BAD_JSON");
        server.client("POST", links(room), HttpRequest.BodyPublishers.ofString("{\"max_uses\": 1.5}"),
                "Authorization", "Bearer " + owner.accessToken(), "Content-Type", "application/json")
                .assertError(400, "M_BAD_JSON");
        owner.post(links(room), json("expires_in_ms", -5)).assertError(400, "M_BAD_JSON");
        owner.post(links(room), json("expires_in_ms", 400L * 24 * 3600 * 1000)).assertError(400, "M_BAD_JSON");
        server.client("POST", links(room), HttpRequest.BodyPublishers.ofString("{nope"),
                "Authorization", "Bearer " + owner.accessToken(), "Content-Type", "application/json")
                .assertError(400, "M_NOT_JSON");
        owner.get(BASE + "/links/x/redeem").assertError(405, "M_UNRECOGNIZED");
        assertEquals(0, owner.get(links(room)).assertStatus(200).json().getJsonArray("links").size());
    }

    private static final String V3 = "/_matrix/client/v3";

    private static final Pattern CODE = Pattern.compile("Code: ([A-Za-z0-9]{16})");

    @Test
    void theBotCreatesListsAndRevokesLinksAndRedeemsACodeOrALink() throws InterruptedException {
        var alice = newUser();
        var bob = newUser();
        var carol = newUser();
        String alias = "inv" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000);
        String room = alice.post(V3 + "/createRoom", json("preset", "private_chat", "room_alias_name", alias,
                "name", "Book club")).assertStatus(200).json().getString("room_id");
        BotChat aliceDm = BotChat.open(alice, "invites");
        assertTrue(aliceDm.ask("!help").contains("!create <room ID or alias>"));

        // By alias, two days, one use.
        String created = aliceDm.ask("!create #" + alias + ":" + server.serverName() + " 2d uses 1");
        Matcher m = CODE.matcher(created);
        assertTrue(m.find(), created);
        String code = m.group(1);
        assertTrue(created.contains("/_hearth/plugins/invites/web/link/" + code), created);
        JsonObject stored = alice.get(links(room)).assertStatus(200).json().getJsonArray("links").getJsonObject(0);
        assertEquals(1, stored.getInt("max_uses"));
        long expiry = stored.getJsonNumber("expires_at").longValue() - stored.getJsonNumber("created_at").longValue();
        assertEquals(2L * 24 * 3600 * 1000, expiry);

        // The page a browser opens tells how to redeem; an unknown code is a 404 page.
        var page = server.client("GET", BASE + "/web/link/" + code).assertStatus(200);
        assertTrue(page.body().contains("!redeem " + code) && page.body().contains("Book club"), page.body());
        server.client("GET", BASE + "/web/link/AAAAAAAAAAAAAAAA").assertStatus(404);

        // Bob is no admin of the room: the bot refuses, as the route does.
        BotChat bobDm = BotChat.open(bob, "invites");
        assertTrue(bobDm.ask("!create " + room).contains("That did not work: You are not in this room"));
        // Bob sends the link as he got it: he is joined.
        String joined = bobDm.ask("here it is: https://" + server.serverName() + "/_hearth/plugins/invites/web/link/" + code);
        assertTrue(joined.startsWith("You joined Book club"), joined);
        assertEquals("join", membership(alice, room, bob));
        assertTrue(bobDm.ask("!create " + room).contains("Only those who may change the join rules"));

        // Used up for carol, who sends the bare code.
        BotChat carolDm = BotChat.open(carol, "invites");
        assertTrue(carolDm.ask(code).contains("used up"));
        assertTrue(aliceDm.ask("!list " + room).contains(code + ": used up, 1 of 1 uses"));

        // A revoked code fails.
        String second = aliceDm.ask("!create " + room + " 12h");
        Matcher m2 = CODE.matcher(second);
        assertTrue(m2.find(), second);
        assertTrue(aliceDm.ask("!revoke " + room + " " + m2.group(1)).startsWith("Revoked"));
        assertTrue(carolDm.ask("!redeem " + m2.group(1)).contains("Unknown or revoked"));
        alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.member/" + enc(carol.userId()))
                .assertError(404, "M_NOT_FOUND");
        assertTrue(aliceDm.ask("!list " + room).contains(m2.group(1) + ": revoked"));

        // Bad input is an answer, nothing stored.
        assertTrue(aliceDm.ask("!create " + room + " soon").contains("I did not understand soon"));
        assertTrue(aliceDm.ask("!create " + room + " 400d").contains("365 days"));
        assertTrue(aliceDm.ask("!create #nosuch:" + server.serverName()).contains("I know no room"));
        assertEquals(2, alice.get(links(room)).assertStatus(200).json().getJsonArray("links").size());
    }
}
