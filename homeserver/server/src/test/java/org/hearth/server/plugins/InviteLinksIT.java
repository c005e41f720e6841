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
import org.hearth.server.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The invites plugin (plugins/invites), built from its sources and loaded by a running server, over real HTTP. */
class InviteLinksIT {
    private static final Path PLUGINS = pluginDir();
    private static final String BASE = "/_hearth/plugins/invites";

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase().with("plugins.dir", PLUGINS.toString());

    private static final AtomicInteger N = new AtomicInteger();

    private static Path pluginDir() {
        try {
            Path dir = Files.createTempDirectory("hearth-plugins");
            // The module's own sources, as its Maven build compiles them (the server module cannot depend on the jar).
            PluginJars.build(dir, "invites", ">=0.1.0 & <1.0.0", Path.of("../../plugins/invites/src/main/java"));
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
}
