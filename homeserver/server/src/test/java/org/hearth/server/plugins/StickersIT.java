package org.hearth.server.plugins;

import static org.hearth.server.TestServer.eventually;
import static org.hearth.server.TestServer.json;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.hearth.server.TestServer;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The stickers plugin (plugins/stickers), built from its sources and loaded by a running server, over real HTTP. */
class StickersIT {
    private static final Path PLUGINS;
    private static final Path SYSTEM_PACKS;
    private static final byte[] CAT = png(600, 400);
    private static final String BASE = "/_hearth/plugins/stickers";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    static {
        try {
            PLUGINS = Files.createTempDirectory("hearth-plugins");
            PluginJars.build(PLUGINS, "stickers", ">=0.5.0 & <1.0.0", Path.of("../../plugins/stickers/src/main/java"));
            SYSTEM_PACKS = Files.createTempDirectory("hearth-system-packs");
            Files.createDirectories(SYSTEM_PACKS.resolve("cats"));
            Files.write(SYSTEM_PACKS.resolve("cats").resolve("cat wave.png"), CAT);
            Files.writeString(SYSTEM_PACKS.resolve("extra.json"), """
                    {"images": {"blob": {"url": "mxc://elsewhere.example/blob", "body": "a blob"}},
                     "pack": {"display_name": "Extra", "usage": ["emoticon"]}}""");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase()
            .with("plugins.dir", PLUGINS.toString())
            .with("plugins.call_budget_ms", "20000")
            .with("plugin_config.stickers.system_packs_dir", SYSTEM_PACKS.toString())
            .with("plugin_config.stickers.public_url", "https://chat.example.org/");

    private static final AtomicInteger N = new AtomicInteger();

    private static byte[] png(int w, int h) {
        try {
            var out = new ByteArrayOutputStream();
            ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB), "png", out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestServer.User newUser() {
        return server.register("s" + N.incrementAndGet() + "x" + (System.nanoTime() % 100000));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static HttpResponse<byte[]> raw(String method, String path, String token, HttpRequest.BodyPublisher body) {
        var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().clientPort() + path)).method(method, body);
        if (token != null) {
            req.header("Authorization", "Bearer " + token).header("Content-Type", "image/png");
        }
        try {
            return HTTP.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String upload(TestServer.User user, byte[] png) {
        var res = raw("POST", "/_matrix/media/v3/upload", user.accessToken(), HttpRequest.BodyPublishers.ofByteArray(png));
        assertEquals(200, res.statusCode());
        return Json.parse(new String(res.body(), StandardCharsets.UTF_8)).asJsonObject().getString("content_uri");
    }

    private static String room(TestServer.User owner, String... keysAndValues) {
        return owner.post("/_matrix/client/v3/createRoom", json((Object[]) keysAndValues)).assertStatus(200).json()
                .getString("room_id");
    }

    private static TestServer.Response accountData(TestServer.User user, String type) {
        return user.get("/_matrix/client/v3/user/" + enc(user.userId()) + "/account_data/" + type);
    }

    private static TestServer.Response state(TestServer.User user, String room, String type, String key) {
        return user.get("/_matrix/client/v3/rooms/" + enc(room) + "/state/" + type + "/" + enc(key));
    }


    private static JsonObject pack(String shortcode, String mxc) {
        return json("images", json(shortcode, json("url", mxc, "body", "a " + shortcode)), "pack",
                json("display_name", "Mine", "usage", Json.arrayBuilder().add("sticker").build()));
    }

    @Test
    void systemPacksAreInstalledFromTheDirectoryAndEnabledForEveryUserUnderBothNames() throws Exception {
        var alice = newUser();
        room(alice); // joining a room enrols the user
        JsonObject enabled = eventually(() -> {
            var r = accountData(alice, "m.image_pack.rooms");
            var unstable = accountData(alice, "im.ponies.emote_rooms");
            return r.status() == 200 && unstable.status() == 200 && unstable.json().equals(r.json()) ? r.json() : null;
        });
        String system = enabled.getJsonObject("rooms").keySet().iterator().next();
        assertEquals(java.util.Set.of("cats", "extra"), enabled.getJsonObject("rooms").getJsonObject(system).keySet());

        JsonObject cats = state(alice, system, "m.room.image_pack", "cats").assertStatus(200).json();
        assertEquals(cats, state(alice, system, "im.ponies.room_emotes", "cats").assertStatus(200).json());
        JsonObject wave = cats.getJsonObject("images").getJsonObject("cat_wave");
        assertEquals(600, wave.getJsonObject("info").getInt("w"));
        assertEquals(400, wave.getJsonObject("info").getInt("h"));
        assertEquals(CAT.length, wave.getJsonObject("info").getInt("size"));
        assertEquals("Extra", state(alice, system, "m.room.image_pack", "extra").json().getJsonObject("pack")
                .getString("display_name"));

        var listed = alice.get(BASE + "/packs").assertStatus(200).json().getJsonArray("packs");
        assertEquals("system", listed.getJsonObject(0).getString("source"));
        assertEquals(2, listed.stream().filter(p -> p.asJsonObject().getString("source").equals("system")).count());
    }

    @Test
    void roomPacksAreWrittenUnderBothStateNamesByThoseAllowedAndEnabledUnderBothAccountDataNames() throws Exception {
        var owner = newUser();
        var member = newUser();
        String room = room(owner, "preset", "public_chat");
        member.post("/_matrix/client/v3/rooms/" + enc(room) + "/join", json()).assertStatus(200);
        String mxc = upload(owner, CAT);
        String packPath = BASE + "/rooms/" + enc(room) + "/packs/mine";

        member.put(packPath, pack("cat", mxc)).assertError(403, "M_FORBIDDEN");
        owner.put(packPath, json("images", json("bad:code", json("url", mxc)))).assertError(400, "M_BAD_JSON");
        owner.put(packPath, json("images", json("cat", json("url", "https://x/y.png")))).assertError(400, "M_BAD_JSON");
        owner.put(packPath, json("images", json("cat", json("url", mxc, "info", json("w", 0))))).assertError(400, "M_BAD_JSON");
        state(owner, room, "m.room.image_pack", "mine").assertError(404, "M_NOT_FOUND");
        state(owner, room, "im.ponies.room_emotes", "mine").assertError(404, "M_NOT_FOUND");
        // Through the client API directly, the shortcode grammar is enforced too.
        owner.put("/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.image_pack/mine",
                json("images", json("a b", json("url", mxc)))).assertError(400, "M_BAD_JSON");

        owner.put(packPath, pack("cat", mxc)).assertStatus(200);
        JsonObject stable = state(member, room, "m.room.image_pack", "mine").assertStatus(200).json();
        assertEquals(stable, state(member, room, "im.ponies.room_emotes", "mine").assertStatus(200).json());
        assertEquals(mxc, stable.getJsonObject("images").getJsonObject("cat").getString("url"));

        member.put(packPath + "/enabled", json()).assertStatus(200);
        member.put(BASE + "/rooms/" + enc(room) + "/packs/nothere/enabled", json()).assertError(404, "M_NOT_FOUND");
        newUser().put(packPath + "/enabled", json()).assertError(403, "M_FORBIDDEN");
        // The plugin writes the stable name, then the unstable one: wait for both.
        JsonObject enabled = eventually(() -> {
            var r = accountData(member, "m.image_pack.rooms");
            var unstable = accountData(member, "im.ponies.emote_rooms");
            return r.status() == 200 && r.json().getJsonObject("rooms").containsKey(room)
                    && unstable.status() == 200 && unstable.json().equals(r.json()) ? r.json() : null;
        });
        assertTrue(enabled.getJsonObject("rooms").getJsonObject(room).containsKey("mine"));
        assertTrue(member.get(BASE + "/packs").json().getJsonArray("packs").stream()
                .anyMatch(p -> p.asJsonObject().getString("source").equals("room")
                        && p.asJsonObject().getString("room_id").equals(room)));

        member.delete(packPath + "/enabled").assertStatus(200);
        assertFalse(accountData(member, "m.image_pack.rooms").json().getJsonObject("rooms").containsKey(room));
        assertEquals(accountData(member, "m.image_pack.rooms").json(), accountData(member, "im.ponies.emote_rooms").json());
    }

    @Test
    void aUserPackIsStoredAsUserEmotesAndListed() {
        var alice = newUser();
        String mxc = upload(alice, CAT);
        alice.put(BASE + "/user/pack", json("images", json("", json("url", mxc)))).assertError(400, "M_BAD_JSON");
        alice.put(BASE + "/user/pack", json()).assertError(400, "M_BAD_JSON");
        accountData(alice, "im.ponies.user_emotes").assertError(404, "M_NOT_FOUND");
        alice.put(BASE + "/user/pack", pack("mine", mxc)).assertStatus(200);
        assertEquals(pack("mine", mxc), accountData(alice, "im.ponies.user_emotes").assertStatus(200).json());
        assertTrue(alice.get(BASE + "/packs").json().getJsonArray("packs").stream()
                .anyMatch(p -> p.asJsonObject().getString("source").equals("user")));
    }

    @Test
    void stickerEventsAreCheckedAgainstTheMediaAndRefusedOnesAreNotStored() {
        var alice = newUser();
        String room = room(alice);
        String mxc = upload(alice, CAT);
        String send = "/_matrix/client/v3/rooms/" + enc(room) + "/send/m.sticker/";
        JsonObject info = json("mimetype", "image/png", "w", 256, "h", 256, "size", CAT.length);
        alice.put(send + "ok", json("body", "cat", "url", mxc, "info", info)).assertStatus(200);
        alice.put(send + "a", json("body", "noinfo", "url", mxc)).assertError(400, "M_BAD_JSON");
        alice.put(send + "b", json("body", "nourl", "info", info)).assertError(400, "M_BAD_JSON");
        alice.put(send + "c", json("body", "huge", "url", mxc, "info", json("w", 100000, "h", 1))).assertError(400, "M_BAD_JSON");
        alice.put(send + "d", json("body", "size", "url", mxc, "info", json("size", CAT.length + 1))).assertError(400, "M_BAD_JSON");
        alice.put(send + "e", json("body", "unknown", "url", "mxc://" + server.serverName() + "/nosuchmedia",
                "info", json())).assertError(403, "M_FORBIDDEN");
        // Another server's media cannot be checked here and is let through.
        alice.put(send + "f", json("body", "remote", "url", "mxc://elsewhere.example/abc", "info", json())).assertStatus(200);
        String timeline = alice.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=50").assertStatus(200).body();
        for (String refused : new String[] {"noinfo", "nourl", "huge", "\"size\"", "unknown"}) {
            assertFalse(timeline.contains("\"body\":\"" + refused.replace("\"", "") + "\""), refused + " was stored");
        }
        assertTrue(timeline.contains("\"body\":\"cat\""));
    }

    @Test
    void theStickerPickerWidgetIsInstalledInMWidgetsAndServesTheUsersPacksByToken() throws Exception {
        var alice = newUser();
        room(alice);
        JsonObject widget = alice.post(BASE + "/widget", json()).assertStatus(200).json();
        JsonObject widgets = accountData(alice, "m.widgets").assertStatus(200).json();
        assertEquals(widget, widgets.getJsonObject("stickerpicker"));
        assertEquals("m.stickerpicker", widget.getJsonObject("content").getString("type"));
        String url = widget.getJsonObject("content").getString("url");
        assertTrue(url.startsWith("https://chat.example.org/_hearth/plugins/stickers/web/picker.html?token="), url);
        assertTrue(url.contains("widgetId=$matrix_widget_id"), url);
        String token = url.replaceAll(".*token=([0-9a-f]+).*", "$1");

        var page = raw("GET", BASE + "/web/picker.html", null, HttpRequest.BodyPublishers.noBody());
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(new String(page.body(), StandardCharsets.UTF_8).contains("\"m.sticker\""));

        JsonObject packs = eventually(() -> {
            var r = raw("GET", BASE + "/web/packs.json?token=" + token, null, HttpRequest.BodyPublishers.noBody());
            return r.statusCode() == 200 ? Json.parse(new String(r.body(), StandardCharsets.UTF_8)).asJsonObject() : null;
        });
        // The emoticon-only pack is not a sticker pack.
        assertEquals(1, packs.getJsonArray("packs").size(), packs.toString());
        assertEquals("cats", packs.getJsonArray("packs").getJsonObject(0).getString("name"));
        String catUrl = packs.getJsonArray("packs").getJsonObject(0).getJsonObject("images").getJsonObject("cat_wave")
                .getString("url");
        var image = raw("GET", BASE + "/web/image?token=" + token + "&mxc=" + enc(catUrl), null, HttpRequest.BodyPublishers.noBody());
        assertEquals(200, image.statusCode());
        assertArrayEquals(CAT, image.body());

        String other = upload(alice, png(10, 10));
        assertEquals(404, raw("GET", BASE + "/web/image?token=" + token + "&mxc=" + enc(other), null,
                HttpRequest.BodyPublishers.noBody()).statusCode());
        assertEquals(403, raw("GET", BASE + "/web/packs.json?token=nope", null, HttpRequest.BodyPublishers.noBody()).statusCode());
        // A new install replaces the old token.
        alice.post(BASE + "/widget", json()).assertStatus(200);
        assertEquals(403, raw("GET", BASE + "/web/packs.json?token=" + token, null, HttpRequest.BodyPublishers.noBody()).statusCode());
    }

    @Test
    void theBotJoinsADmAndAnswersHelpAndPacks() throws Exception {
        var alice = newUser();
        String bot = "@stickers:" + server.serverName();
        alice.get(BASE + "/packs").assertStatus(200); // the bot exists once the plugin has been used
        String dm = alice.post("/_matrix/client/v3/createRoom", json("is_direct", true, "preset", "trusted_private_chat",
                "invite", Json.arrayBuilder().add(bot).build())).assertStatus(200).json().getString("room_id");
        eventually(() -> state(alice, dm, "m.room.member", bot).json().getString("membership", "").equals("join") ? true : null);
        alice.put("/_matrix/client/v3/rooms/" + enc(dm) + "/send/m.room.message/h1", json("msgtype", "m.text", "body", "!help"))
                .assertStatus(200);
        String help = eventually(() -> notice(alice, dm, "!packs"));
        assertTrue(help.contains("!help"), help);
        alice.put("/_matrix/client/v3/rooms/" + enc(dm) + "/send/m.room.message/p1", json("msgtype", "m.text", "body", "!packs"))
                .assertStatus(200);
        String packs = eventually(() -> notice(alice, dm, "Your packs"));
        assertTrue(packs.contains("cats (system, 1 images)"), packs);
    }

    /** The body of the bot's newest notice containing {@code text}, or null. */
    private static String notice(TestServer.User user, String room, String text) {
        var chunk = user.get("/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=20").json().getJsonArray("chunk");
        for (var v : chunk) {
            JsonObject e = v.asJsonObject();
            if (e.getString("type").equals("m.room.message") && e.getString("sender").startsWith("@stickers:")
                    && e.getJsonObject("content").getString("body", "").contains(text)) {
                return e.getJsonObject("content").getString("body");
            }
        }
        return null;
    }
}
