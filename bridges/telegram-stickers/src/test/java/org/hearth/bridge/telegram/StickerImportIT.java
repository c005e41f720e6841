package org.hearth.bridge.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.awt.Color;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.hearth.bridge.appservice.BridgeListener;
import org.hearth.bridge.appservice.BridgeStore;
import org.hearth.bridge.appservice.HomeserverClient;
import org.hearth.bridge.appservice.HomeserverUnderTest;
import org.hearth.bridge.appservice.Registration;
import org.hearth.bridge.appservice.TransactionReceiver;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sticker sets imported into a real homeserver (Hearth here, or any via HomeserverUnderTest's properties) from a fake
 * Bot API on loopback. No converter is used (the thumbnail path, which every machine takes), whatever is installed.
 */
class StickerImportIT {
    static final FakeBotApi TELEGRAM = new FakeBotApi();
    static Registration registration;
    static HomeserverUnderTest homeserver;
    static BridgeStore store;
    static HomeserverClient client;
    static StickerImporter importer;
    static BridgeListener listener;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() {
        recordSets();
        registration = HomeserverUnderTest.registration("stickers", "stickerbot", "_tgsticker_");
        homeserver = HomeserverUnderTest.start(registration);
        store = BridgeStore.open(registration.id(), homeserver.storeJdbcUrl(), "root", "");
        client = new HomeserverClient(homeserver.baseUrl(), registration);
        importer = new StickerImporter(new BotApi(TELEGRAM.baseUrl(), FakeBotApi.TOKEN), Converters.none(), store, client.bot());
        listener = BridgeListener.start("127.0.0.1", HomeserverUnderTest.bridgePort(registration),
                new TransactionReceiver(registration, new StickerBot(client, importer, store), store));
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
        TELEGRAM.close();
    }

    private static String sticker(String id, String emoji, boolean animated, boolean video, String thumbId) {
        var s = Json.createObjectBuilder().add("file_id", id).add("file_unique_id", "U" + id).add("width", 512)
                .add("height", 512).add("is_animated", animated).add("is_video", video).add("type", "regular");
        if (emoji != null) {
            s.add("emoji", emoji);
        }
        if (thumbId != null) {
            s.add("thumbnail", Json.createObjectBuilder().add("file_id", thumbId).add("file_unique_id", "U" + thumbId)
                    .add("width", 128).add("height", 128));
        }
        return s.build().toString();
    }

    /** Recorded getStickerSet answers (the shape Telegram returns) and the files they name. */
    static void recordSets() {
        TELEGRAM.file("static1", "webp", Fixtures.WEBP_LOSSLESS);
        TELEGRAM.file("static2", "webp", Fixtures.WEBP_LOSSY);
        TELEGRAM.file("anim1", "tgs", Fixtures.tgs());
        TELEGRAM.file("video1", "webm", Fixtures.tinyVideo());
        TELEGRAM.file("broken1", "tgs", Fixtures.corrupt());
        TELEGRAM.file("broken2", "tgs", Fixtures.corrupt());
        TELEGRAM.file("thumbS", "png", Fixtures.png(16, Color.RED));
        TELEGRAM.file("thumbA", "png", Fixtures.png(16, Color.GREEN));
        TELEGRAM.file("thumbV", "png", Fixtures.png(16, Color.BLUE));
        TELEGRAM.file("thumbB", "png", Fixtures.png(16, Color.YELLOW));
        TELEGRAM.sets.put("Hearth_Mixed", "{\"name\":\"Hearth_Mixed\",\"title\":\"Hearth mixed\",\"sticker_type\":\"regular\","
                + "\"stickers\":[" + String.join(",",
                sticker("static1", "😀", false, false, "thumbS"),
                sticker("anim1", "🎉", true, false, "thumbA"),
                sticker("video1", "🐱", false, true, "thumbV"),
                sticker("static2", null, false, false, null),
                sticker("broken1", "💥", true, false, "thumbB"),
                sticker("broken2", "🚫", true, false, null)) + "]}");
        TELEGRAM.sets.put("Hearth_Emoji", "{\"name\":\"Hearth_Emoji\",\"title\":\"Hearth emoji\",\"sticker_type\":\"custom_emoji\","
                + "\"stickers\":[" + String.join(",", sticker("static1", "😀", false, false, null),
                sticker("static2", "😃", false, false, null)) + "]}");
        TELEGRAM.sets.put("Hearth_AllBroken", "{\"name\":\"Hearth_AllBroken\",\"title\":\"Broken\",\"sticker_type\":\"regular\","
                + "\"stickers\":[" + sticker("broken2", "🚫", true, false, null) + "]}");
        TELEGRAM.sets.put("Hearth_Slow", "{\"name\":\"Hearth_Slow\",\"title\":\"Slow\",\"sticker_type\":\"regular\","
                + "\"stickers\":[" + sticker("static2", "🐢", false, false, null) + "]}");
        TELEGRAM.tooManyRequests.put("Hearth_Slow", new AtomicInteger(1));
    }

    private static String room() {
        return client.bot().createRoom(Json.createObjectBuilder().add("preset", "private_chat").build());
    }

    @Test
    void withTheMachinesFfmpegAVideoStickerIsConvertedNotReplacedByItsThumbnail() throws Exception {
        var ffmpeg = Converters.find("ffmpeg");
        if (ffmpeg.isEmpty()) {
            // The other tests cover the thumbnail path; ConvertersTest says why there is no conversion here.
            return;
        }
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("webm-");
        java.nio.file.Path webm = dir.resolve("v.webm");
        Process make = new ProcessBuilder(ffmpeg.get().toString(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-t", "1", "-c:v", "libvpx-vp9",
                "-pix_fmt", "yuva420p", webm.toString()).start();
        assertTrue(make.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) && make.exitValue() == 0);
        TELEGRAM.file("video2", "webm", java.nio.file.Files.readAllBytes(webm));
        TELEGRAM.sets.put("Hearth_Video", "{\"name\":\"Hearth_Video\",\"title\":\"Video\",\"sticker_type\":\"regular\","
                + "\"stickers\":[" + sticker("video2", "🎬", false, true, "thumbV") + "]}");
        var converting = new StickerImporter(new BotApi(TELEGRAM.baseUrl(), FakeBotApi.TOKEN), Converters.onPath(),
                store, client.bot());
        String room = room();
        StickerImporter.Report report = converting.importInto("Hearth_Video", room);
        assertEquals("converted", report.stickers().getFirst().result(), report.summary());
        JsonObject image = client.bot().state(room, StickerImporter.ROOM_PACK, "Hearth_Video").orElseThrow()
                .getJsonObject("images").values().iterator().next().asJsonObject();
        JsonObject info = image.getJsonObject("info");
        assertEquals("image/webp", info.getString("mimetype"), image.toString());
        assertTrue(info.getBoolean("is_animated"), image.toString());
        assertEquals(64, info.getInt("w"), image.toString());
    }

    @Test
    void aMixedSetBecomesOnePackWithTheUnstableCopyAndAReportPerSticker() {
        String room = room();
        StickerImporter.Report report = importer.importInto("Hearth_Mixed", room);

        JsonObject pack = client.bot().state(room, StickerImporter.ROOM_PACK, "Hearth_Mixed").orElseThrow();
        assertEquals(pack, client.bot().state(room, StickerImporter.ROOM_PACK_UNSTABLE, "Hearth_Mixed").orElseThrow());
        assertEquals(report.content(), pack);
        JsonObject images = pack.getJsonObject("images");
        // Five stickers have an image; the corrupt one without a thumbnail is left out and reported.
        assertEquals(5, images.size(), images.toString());
        Map<String, String> results = report.stickers().stream()
                .collect(Collectors.toMap(StickerImporter.StickerOutcome::fileUniqueId, StickerImporter.StickerOutcome::result));
        assertEquals(Map.of("Ustatic1", "kept", "Uanim1", "thumbnail", "Uvideo1", "thumbnail", "Ustatic2", "kept",
                "Ubroken1", "thumbnail", "Ubroken2", "skipped"), results);
        assertTrue(report.summary().contains("no Lottie renderer"), report.summary());
        assertTrue(report.summary().contains("not a gzipped Lottie document"), report.summary());
        assertTrue(report.summary().contains("left out"), report.summary());

        Set<String> bodies = new HashSet<>();
        for (var entry : images.entrySet()) {
            assertTrue(StickerImporter.SHORTCODE.matcher(entry.getKey()).matches(), entry.getKey());
            JsonObject image = entry.getValue().asJsonObject();
            assertTrue(image.getString("url").startsWith("mxc://"), image.toString());
            JsonObject info = image.getJsonObject("info");
            for (String key : List.of("w", "h", "size", "mimetype", "thumbnail_url", "is_animated")) {
                assertTrue(info.containsKey(key), key + " in " + info);
            }
            assertTrue(info.getString("thumbnail_url").startsWith("mxc://"));
            bodies.add(image.getString("body"));
        }
        // Emoji in body; the sticker without one has its shortcode there.
        assertTrue(bodies.containsAll(List.of("😀", "🎉", "🐱", "💥")), bodies.toString());
        assertTrue(bodies.contains("Hearth_Mixed_4"), bodies.toString());
        JsonObject kept = images.getJsonObject("Hearth_Mixed_1");
        assertEquals("image/webp", kept.getJsonObject("info").getString("mimetype"));
        assertEquals(1, kept.getJsonObject("info").getInt("w"));
        assertEquals(JsonValue.FALSE, kept.getJsonObject("info").get("is_animated"));
        JsonObject fallback = images.getJsonObject("Hearth_Mixed_2");
        assertEquals("image/png", fallback.getJsonObject("info").getString("mimetype"));
        assertEquals(16, fallback.getJsonObject("info").getInt("w"));
        assertEquals(List.of("sticker"), pack.getJsonObject("pack").getJsonArray("usage").getValuesAs(
                jakarta.json.JsonString::getString));
        assertEquals("Hearth mixed", pack.getJsonObject("pack").getString("display_name"));

        // Re-import: nothing uploaded again, the same pack (same shortcodes and mxc URIs).
        StickerImporter.Report again = importer.importInto("Hearth_Mixed", room);
        assertEquals(0, again.uploaded());
        assertTrue(again.reused() > 0);
        assertEquals(pack, client.bot().state(room, StickerImporter.ROOM_PACK, "Hearth_Mixed").orElseThrow());
    }

    @Test
    void customEmojiSetsAreEmoticonPacksAndShareUploadsWithOtherSets() {
        String room = room();
        StickerImporter.Report report = importer.importInto("Hearth_Emoji", room);
        JsonObject pack = client.bot().state(room, StickerImporter.ROOM_PACK, "Hearth_Emoji").orElseThrow();
        assertEquals("emoticon", pack.getJsonObject("pack").getJsonArray("usage").getString(0));
        assertEquals(2, pack.getJsonObject("images").size());
        assertTrue(pack.getJsonObject("pack").getString("avatar_url").startsWith("mxc://"));
        assertEquals(report.content(), pack);
    }

    @Test
    void invalidSetsAndBrokenSetsWriteNothingAndSayWhy() {
        String room = room();
        var invalid = assertThrows(TelegramException.class, () -> importer.importInto("No_Such_Set", room));
        assertTrue(invalid.getMessage().contains("STICKERSET_INVALID") && invalid.getMessage().contains("No_Such_Set"),
                invalid.getMessage());
        assertTrue(client.bot().state(room, StickerImporter.ROOM_PACK, "No_Such_Set").isEmpty());

        var broken = assertThrows(TelegramException.class, () -> importer.importInto("Hearth_AllBroken", room));
        assertTrue(broken.getMessage().contains("could be imported"), broken.getMessage());
        assertTrue(client.bot().state(room, StickerImporter.ROOM_PACK, "Hearth_AllBroken").isEmpty());
        assertTrue(client.bot().state(room, StickerImporter.ROOM_PACK_UNSTABLE, "Hearth_AllBroken").isEmpty());
    }

    @Test
    void telegramsRetryAfterIsHonoured() {
        String room = room();
        int before = TELEGRAM.count("/botTOKEN/getStickerSet?Hearth_Slow");
        importer.importInto("Hearth_Slow", room);
        assertEquals(before + 2, TELEGRAM.count("/botTOKEN/getStickerSet?Hearth_Slow"));
        assertTrue(client.bot().state(room, StickerImporter.ROOM_PACK, "Hearth_Slow").isPresent());
    }

    // A real user of the homeserver, over plain HTTP.
    record User(String userId, String token) {}

    static JsonObject http(String method, String path, String token, JsonObject body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(homeserver.baseUrl() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        JsonObject o = Json.createReader(new StringReader(response.body())).readObject();
        return Json.createObjectBuilder(o).add("_status", response.statusCode()).build();
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

    static JsonObject awaitState(User user, String room, String type, String key) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonObject state = http("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/state/" + type + "/" + key, user.token(), null);
            if (state.getInt("_status") == 200) {
                return state;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(type + "/" + key + " never appeared in " + room);
    }

    static String awaitNotice(User user, String room, String contains) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonObject messages = http("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/messages?dir=b&limit=50", user.token(), null);
            for (JsonValue v : messages.getJsonArray("chunk")) {
                JsonObject content = v.asJsonObject().getJsonObject("content");
                if ("m.notice".equals(content.getString("msgtype", "")) && content.getString("body", "").contains(contains)) {
                    return content.getString("body");
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no notice containing \"" + contains + "\" in " + room);
    }

    @Test
    void aUserEnablesAPackEverywhereKeepingTheirOtherPacks() throws Exception {
        User bob = registerUser("stickerbob");
        String room = room();
        importer.importInto("Hearth_Emoji", room);
        http("PUT", "/_matrix/client/v3/user/" + enc(bob.userId()) + "/account_data/m.image_pack.rooms", bob.token(),
                Json.createObjectBuilder().add("rooms", Json.createObjectBuilder().add("!other:x",
                        Json.createObjectBuilder().add("mine", Json.createObjectBuilder().add("keep", true)))).build());
        assertEquals(bob.userId(), new PackRooms(homeserver.baseUrl(), bob.token()).enable(room, "Hearth_Emoji"));
        new PackRooms(homeserver.baseUrl(), bob.token()).enable(room, "Hearth_Emoji");
        for (String type : PackRooms.TYPES) {
            JsonObject rooms = http("GET", "/_matrix/client/v3/user/" + enc(bob.userId()) + "/account_data/" + type,
                    bob.token(), null).getJsonObject("rooms");
            assertTrue(rooms.getJsonObject(room).containsKey("Hearth_Emoji"), type + ": " + rooms);
        }
        JsonObject spec = http("GET", "/_matrix/client/v3/user/" + enc(bob.userId()) + "/account_data/m.image_pack.rooms",
                bob.token(), null).getJsonObject("rooms");
        assertEquals(JsonValue.TRUE, spec.getJsonObject("!other:x").getJsonObject("mine").get("keep"));
    }

    @Test
    void theBotImportsASetLinkSentInADirectMessage() throws Exception {
        User alice = registerUser("stickeralice");
        String dm = http("POST", "/_matrix/client/v3/createRoom", alice.token(), Json.createObjectBuilder()
                .add("preset", "trusted_private_chat").add("is_direct", true)
                .add("invite", Json.createArrayBuilder().add(client.botUserId())).build()).getString("room_id");
        awaitNotice(alice, dm, "Send me a Telegram sticker set link");
        // trusted_private_chat gives invitees the creator's power: the bot may write the pack state.
        http("PUT", "/_matrix/client/v3/rooms/" + enc(dm) + "/send/m.room.message/1", alice.token(),
                Json.createObjectBuilder().add("msgtype", "m.text").add("body", "https://t.me/addemoji/Hearth_Emoji").build());
        JsonObject pack = awaitState(alice, dm, StickerImporter.ROOM_PACK, "Hearth_Emoji");
        assertEquals(2, pack.getJsonObject("images").size());
        assertTrue(awaitNotice(alice, dm, "Imported").contains("Hearth emoji"));

        http("PUT", "/_matrix/client/v3/rooms/" + enc(dm) + "/send/m.room.message/2", alice.token(),
                Json.createObjectBuilder().add("msgtype", "m.text").add("body", "t.me/addstickers/Gone_Set").build());
        assertTrue(awaitNotice(alice, dm, "Could not import Gone_Set").contains("STICKERSET_INVALID"));
        assertFalse(http("GET", "/_matrix/client/v3/rooms/" + enc(dm) + "/state/m.room.image_pack/Gone_Set",
                alice.token(), null).getInt("_status") == 200);

        // In a room that is not its DM, the bot ignores chatter and acts on links only.
        String group = http("POST", "/_matrix/client/v3/createRoom", alice.token(), Json.createObjectBuilder()
                .add("preset", "trusted_private_chat")
                .add("invite", Json.createArrayBuilder().add(client.botUserId())).build()).getString("room_id");
        awaitMember(alice, group, client.botUserId());
        http("PUT", "/_matrix/client/v3/rooms/" + enc(group) + "/send/m.room.message/1", alice.token(),
                Json.createObjectBuilder().add("msgtype", "m.text").add("body", "hello").build());
        http("PUT", "/_matrix/client/v3/rooms/" + enc(group) + "/send/m.room.message/2", alice.token(),
                Json.createObjectBuilder().add("msgtype", "m.text").add("body", "tg://addstickers?set=Hearth_Emoji").build());
        awaitState(alice, group, StickerImporter.ROOM_PACK, "Hearth_Emoji");
        awaitNotice(alice, group, "Imported");
        JsonObject messages = http("GET", "/_matrix/client/v3/rooms/" + enc(group) + "/messages?dir=b&limit=50", alice.token(), null);
        assertTrue(messages.getJsonArray("chunk").stream().map(JsonValue::asJsonObject)
                .noneMatch(e -> e.getJsonObject("content").getString("body", "").startsWith("Send me")), messages.toString());
    }

    static void awaitMember(User user, String room, String member) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            JsonObject state = http("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/state/m.room.member/" + enc(member),
                    user.token(), null);
            if (state.getInt("_status") == 200 && "join".equals(state.getString("membership", ""))) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(member + " never joined " + room);
    }
}
