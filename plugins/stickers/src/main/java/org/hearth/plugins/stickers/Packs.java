package org.hearth.plugins.stickers;

import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.hearth.plugin.api.Homeserver;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * The packs a user can use, and the writes that keep the stable and unstable names identical: a room pack is
 * {@code m.room.image_pack} and {@code im.ponies.room_emotes} state with one content; the packs a user enabled
 * everywhere are {@code m.image_pack.rooms} and {@code im.ponies.emote_rooms} account data with one content; a
 * user's own pack is {@code im.ponies.user_emotes} account data (the spec has no user pack). System packs live in
 * one public room of the plugin's bot, installed from {@code plugin_config.stickers.system_packs_dir}.
 */
final class Packs {
    static final String BOT = "stickers";
    private static final Object INSTALLING = new Object();

    private final Homeserver homeserver;

    Packs(Homeserver homeserver) {
        this.homeserver = homeserver;
    }

    String bot() {
        return homeserver.botUser(BOT);
    }

    /** One pack as the plugin lists it. */
    record Pack(String source, String roomId, String stateKey, JsonObject content) {
        JsonObject json() {
            var out = Json.objectBuilder().add("source", source);
            if (roomId != null) {
                out.add("room_id", roomId).add("state_key", stateKey);
            }
            return out.add("content", content).build();
        }

        String displayName() {
            return content.getJsonObject("pack") != null ? content.getJsonObject("pack").getString("display_name", name())
                    : name();
        }

        private String name() {
            return stateKey == null || stateKey.isEmpty() ? source : stateKey;
        }
    }

    /** The system packs' room, installing it and its packs on first use. */
    String systemRoom() {
        synchronized (INSTALLING) {
            Optional<JsonObject> installed = homeserver.store().get("system");
            if (installed.isPresent() && installed.get().getBoolean("complete", false)) {
                return installed.get().getString("room_id");
            }
            String bot = bot();
            String room = installed.map(i -> i.getString("room_id")).orElseGet(() -> {
                String created = homeserver.createRoom(bot, Json.objectBuilder().add("preset", "public_chat")
                        .add("name", "Sticker packs").add("topic", "The sticker packs of this server")
                        .add("initial_state", Json.arrayBuilder().add(Json.objectBuilder()
                                .add("type", "m.room.history_visibility").add("state_key", "")
                                .add("content", Json.objectBuilder().add("history_visibility", "world_readable"))))
                        .build());
                homeserver.store().put("system", Json.objectBuilder().add("room_id", created).build());
                return created;
            });
            var keys = Json.arrayBuilder();
            systemPackContents().forEach((key, content) -> {
                writeRoomPack(bot, room, key, content);
                keys.add(key);
            });
            homeserver.store().put("system", Json.objectBuilder().add("room_id", room).add("complete", true)
                    .add("keys", keys).build());
            return room;
        }
    }

    /**
     * The operator's packs: each {@code name.json} in the directory is a pack's content; each subdirectory is a
     * pack of its images (uploaded as the bot; shortcodes from the file names).
     */
    private Map<String, JsonObject> systemPackContents() {
        Map<String, JsonObject> out = new TreeMap<>();
        String dir = homeserver.config().getString("system_packs_dir", "");
        if (dir.isEmpty() || !Files.isDirectory(Path.of(dir))) {
            return out;
        }
        try (Stream<Path> entries = Files.list(Path.of(dir))) {
            for (Path entry : entries.sorted().toList()) {
                String name = entry.getFileName().toString();
                if (Files.isRegularFile(entry) && name.endsWith(".json")) {
                    JsonObject content = Json.parse(Files.readString(entry)).asJsonObject();
                    out.put(ImagePacks.shortcodeOf(name.substring(0, name.length() - 5)), ImagePacks.validated(content));
                } else if (Files.isDirectory(entry)) {
                    out.put(ImagePacks.shortcodeOf(name), uploadedPack(name, entry));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private JsonObject uploadedPack(String name, Path dir) throws IOException {
        var images = Json.objectBuilder();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String fileName = file.getFileName().toString();
                String type = imageType(fileName);
                if (type == null || !Files.isRegularFile(file)) {
                    continue;
                }
                byte[] bytes = Files.readAllBytes(file);
                String base = fileName.substring(0, fileName.lastIndexOf('.'));
                var info = Json.objectBuilder().add("mimetype", type).add("size", bytes.length);
                var image = ImageIO.read(new ByteArrayInputStream(bytes));
                if (image != null) {
                    info.add("w", image.getWidth()).add("h", image.getHeight());
                }
                String mxc = homeserver.uploadMedia(bot(), type, fileName, bytes);
                images.add(ImagePacks.shortcodeOf(base), Json.objectBuilder().add("url", mxc).add("body", base)
                        .add("info", info));
            }
        }
        return Json.objectBuilder().add("images", images)
                .add("pack", Json.objectBuilder().add("display_name", name)).build();
    }

    private static String imageType(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "image/png";
        } else if (lower.endsWith(".gif")) {
            return "image/gif";
        } else if (lower.endsWith(".webp")) {
            return "image/webp";
        } else if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "image/jpeg";
        }
        return null;
    }

    /** Both state events with one content; the room's power levels apply to each name. */
    void writeRoomPack(String asUser, String roomId, String stateKey, JsonObject content) {
        ImagePacks.validated(content);
        if (!homeserver.roomExists(roomId)) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + roomId);
        }
        if (!homeserver.maySendState(roomId, asUser, ImagePacks.ROOM_PACK)
                || !homeserver.maySendState(roomId, asUser, ImagePacks.ROOM_PACK_UNSTABLE)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You may not change this room's image packs");
        }
        homeserver.sendState(roomId, asUser, ImagePacks.ROOM_PACK, stateKey, content);
        homeserver.sendState(roomId, asUser, ImagePacks.ROOM_PACK_UNSTABLE, stateKey, content);
    }

    void writeUserPack(String user, JsonObject content) {
        homeserver.setAccountData(user, ImagePacks.USER_PACK_UNSTABLE, ImagePacks.validated(content));
    }

    /** Adds or removes a room pack in the user's enabled packs, under both names. */
    void enable(String user, String roomId, String stateKey, boolean on) {
        if (on && homeserver.state(roomId, ImagePacks.ROOM_PACK, stateKey).filter(c -> !c.isEmpty()).isEmpty()
                && homeserver.state(roomId, ImagePacks.ROOM_PACK_UNSTABLE, stateKey).filter(c -> !c.isEmpty()).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No image pack " + stateKey + " in " + roomId);
        }
        JsonObject current = homeserver.accountData(user, ImagePacks.PACK_ROOMS)
                .or(() -> homeserver.accountData(user, ImagePacks.PACK_ROOMS_UNSTABLE))
                .orElse(Json.objectBuilder().build());
        JsonObject rooms = current.get("rooms") instanceof JsonObject r ? r : Json.objectBuilder().build();
        var roomsOut = Json.objectBuilder(rooms);
        var keys = Json.objectBuilder(rooms.get(roomId) instanceof JsonObject k ? k : Json.objectBuilder().build());
        if (on) {
            keys.add(stateKey, Json.objectBuilder());
        } else {
            keys.remove(stateKey);
        }
        JsonObject roomKeys = keys.build();
        if (roomKeys.isEmpty()) {
            roomsOut.remove(roomId);
        } else {
            roomsOut.add(roomId, roomKeys);
        }
        JsonObject content = Json.objectBuilder(current).add("rooms", roomsOut).build();
        homeserver.setAccountData(user, ImagePacks.PACK_ROOMS, content);
        homeserver.setAccountData(user, ImagePacks.PACK_ROOMS_UNSTABLE, content);
    }

    /** Without a system packs directory there are no system packs, and no room for them. */
    private boolean hasSystemPacks() {
        String dir = homeserver.config().getString("system_packs_dir", "");
        return !dir.isEmpty() && Files.isDirectory(Path.of(dir));
    }

    List<String> systemKeys() {
        if (!hasSystemPacks()) {
            return List.of();
        }
        systemRoom();
        return homeserver.store().get("system").map(s -> s.getJsonArray("keys").getValuesAs(
                jakarta.json.JsonString::getString)).orElse(List.of());
    }

    /** Every system pack enabled for the user, once (the bot's room joined so clients can read its state). */
    void enrol(String user) {
        if (user.equals(bot()) || homeserver.store().get("enrolled:" + user).isPresent() || systemKeys().isEmpty()) {
            return;
        }
        String room = systemRoom();
        if (!homeserver.membership(room, user).filter("join"::equals).isPresent()) {
            homeserver.join(room, user);
        }
        for (String key : systemKeys()) {
            enable(user, room, key, true);
        }
        homeserver.store().put("enrolled:" + user, Json.objectBuilder().add("room_id", room).build());
    }

    /** System packs, then the user's own, then the room packs the user enabled, as the spec orders them. */
    List<Pack> available(String user) {
        List<Pack> out = new ArrayList<>();
        List<String> systemKeys = systemKeys();
        String system = systemKeys.isEmpty() ? "" : systemRoom();
        for (String key : systemKeys) {
            homeserver.state(system, ImagePacks.ROOM_PACK, key).filter(c -> c.containsKey("images"))
                    .ifPresent(c -> out.add(new Pack("system", system, key, c)));
        }
        homeserver.accountData(user, ImagePacks.USER_PACK_UNSTABLE).filter(c -> c.containsKey("images"))
                .ifPresent(c -> out.add(new Pack("user", null, null, c)));
        JsonObject enabled = homeserver.accountData(user, ImagePacks.PACK_ROOMS)
                .or(() -> homeserver.accountData(user, ImagePacks.PACK_ROOMS_UNSTABLE)).orElse(Json.objectBuilder().build());
        Map<String, List<String>> wanted = new TreeMap<>();
        if (enabled.get("rooms") instanceof JsonObject rooms) {
            rooms.forEach((room, keys) -> {
                if (keys instanceof JsonObject k) {
                    wanted.put(room, new ArrayList<>(k.keySet()));
                }
            });
        }
        for (var entry : wanted.entrySet()) {
            String room = entry.getKey();
            if (room.equals(system)) {
                continue; // listed above, for everyone
            }
            if (homeserver.membership(room, user).filter("join"::equals).isEmpty()) {
                continue; // clients read a pack's state only in rooms they are in
            }
            for (String key : entry.getValue()) {
                homeserver.state(room, ImagePacks.ROOM_PACK, key)
                        .or(() -> homeserver.state(room, ImagePacks.ROOM_PACK_UNSTABLE, key))
                        .filter(c -> c.containsKey("images"))
                        .ifPresent(c -> out.add(new Pack("room", room, key, c)));
            }
        }
        return out;
    }
}
