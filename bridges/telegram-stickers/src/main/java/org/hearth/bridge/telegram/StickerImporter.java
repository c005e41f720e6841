package org.hearth.bridge.telegram;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.hearth.bridge.appservice.BridgeStore;
import org.hearth.bridge.appservice.Intent;

/**
 * Imports a Telegram sticker set as an image pack (spec v1.19 "Image packs"): every sticker is downloaded, converted
 * when its format needs it and a converter is present (else its thumbnail stands in, and the report says so),
 * uploaded unless the same bytes were uploaded before, and only then is the pack written: one
 * {@code m.room.image_pack} state event, plus the same content as {@code im.ponies.room_emotes} for clients that read
 * MSC2545's unstable name. A failure before that point writes nothing.
 */
public final class StickerImporter {
    public static final String ROOM_PACK = "m.room.image_pack";
    public static final String ROOM_PACK_UNSTABLE = "im.ponies.room_emotes";
    static final Pattern SHORTCODE = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    // Store kinds: uploaded media by content hash, and the shortcode each sticker got in its set.
    static final String MEDIA = "media";
    static final String SHORTCODES = "shortcode";

    private final BotApi telegram;
    private final Converters converters;
    private final BridgeStore store;
    private final Intent bot;

    public StickerImporter(BotApi telegram, Converters converters, BridgeStore store, Intent bot) {
        this.telegram = telegram;
        this.converters = converters;
        this.store = store;
        this.bot = bot;
    }

    /** {@code result}: kept (static WebP as is), converted, thumbnail (fallback) or skipped; {@code reason} says why. */
    public record StickerOutcome(String fileUniqueId, String shortcode, String format, String result, String reason) {}

    /** What an import did; {@code content} is the pack as written. */
    public record Report(String setName, String title, String roomId, List<StickerOutcome> stickers, int uploaded,
                         int reused, JsonObject content) {
        public String summary() {
            var out = new StringBuilder();
            long images = stickers.stream().filter(s -> !s.result().equals("skipped")).count();
            out.append("Imported \"").append(title).append("\" (").append(setName).append("): ").append(images)
                    .append(" of ").append(stickers.size()).append(" stickers, ").append(uploaded)
                    .append(" uploaded, ").append(reused).append(" already uploaded.");
            for (StickerOutcome s : stickers) {
                if (s.result().equals("thumbnail") || s.result().equals("skipped")) {
                    out.append("\n- ").append(s.shortcode() == null ? s.fileUniqueId() : s.shortcode()).append(" (")
                            .append(s.format()).append("): ")
                            .append(s.result().equals("thumbnail") ? "thumbnail used, " : "left out, ").append(s.reason());
                }
            }
            return out.toString();
        }
    }

    private record Staged(StickerSet set, JsonObject content, List<StickerOutcome> outcomes, Map<String, String> shortcodes,
                          int uploaded, int reused) {}

    /** Imports {@code setName} into {@code roomId} (state key: the set's name); the bot must be allowed to send state. */
    public Report importInto(String setName, String roomId) {
        Staged staged = stage(setName);
        bot.ensureJoined(roomId);
        bot.sendState(roomId, ROOM_PACK, staged.set().name(), staged.content());
        bot.sendState(roomId, ROOM_PACK_UNSTABLE, staged.set().name(), staged.content());
        staged.shortcodes().forEach((unique, code) -> store.putMapping(
                new BridgeStore.Mapping(SHORTCODES, staged.set().name() + "/" + unique, code, null)));
        return new Report(staged.set().name(), staged.set().title(), roomId, staged.outcomes(), staged.uploaded(),
                staged.reused(), staged.content());
    }

    private Staged stage(String setName) {
        StickerSet set = telegram.getStickerSet(setName);
        if (set.stickers().isEmpty()) {
            throw new TelegramException(400, "The sticker set \"" + setName + "\" has no stickers.");
        }
        Map<String, JsonObject> images = new LinkedHashMap<>();
        Map<String, String> shortcodes = new LinkedHashMap<>();
        List<StickerOutcome> outcomes = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        int[] counts = new int[2];
        String avatar = null;
        // Shortcodes the stickers had before keep them, so a re-import changes no shortcode.
        Map<String, String> previous = new LinkedHashMap<>();
        for (StickerSet.Sticker s : set.stickers()) {
            store.byRemote(SHORTCODES, set.name() + "/" + s.fileUniqueId()).map(BridgeStore.Mapping::matrixId)
                    .filter(c -> SHORTCODE.matcher(c).matches()).ifPresent(c -> previous.put(s.fileUniqueId(), c));
        }
        taken.addAll(previous.values());
        int position = 0;
        for (StickerSet.Sticker s : set.stickers()) {
            position++;
            String code = previous.getOrDefault(s.fileUniqueId(), null);
            if (code == null) {
                code = freshShortcode(set.name(), position, taken);
                taken.add(code);
            }
            Optional<JsonObject> image = image(s, code, outcomes, counts);
            if (image.isPresent()) {
                images.put(code, image.get());
                shortcodes.put(s.fileUniqueId(), code);
                if (avatar == null) {
                    avatar = image.get().getString("url");
                }
            }
        }
        if (images.isEmpty()) {
            throw new TelegramException(422, "None of the " + set.stickers().size() + " stickers of \"" + setName
                    + "\" could be imported: " + outcomes.getFirst().reason());
        }
        JsonObjectBuilder imagesJson = Json.createObjectBuilder();
        images.forEach(imagesJson::add);
        JsonObject content = Json.createObjectBuilder()
                .add("images", imagesJson)
                .add("pack", Json.createObjectBuilder()
                        .add("display_name", set.title())
                        .add("avatar_url", avatar)
                        .add("usage", Json.createArrayBuilder().add(set.customEmoji() ? "emoticon" : "sticker"))
                        .add("attribution", "Telegram sticker set https://t.me/"
                                + (set.customEmoji() ? "addemoji/" : "addstickers/") + set.name()))
                .build();
        return new Staged(set, content, List.copyOf(outcomes), shortcodes, counts[0], counts[1]);
    }

    /** {@code <set name>_<position>}, cut to the grammar's 100 characters, made unique with a suffix. */
    static String freshShortcode(String setName, int position, Set<String> taken) {
        String base = setName.replaceAll("[^A-Za-z0-9_-]", "_");
        String suffix = "_" + position;
        String code = base.substring(0, Math.min(base.length(), 100 - suffix.length())) + suffix;
        for (int n = 2; taken.contains(code); n++) {
            String more = suffix + "_" + n;
            code = base.substring(0, Math.min(base.length(), 100 - more.length())) + more;
        }
        return code;
    }

    private Optional<JsonObject> image(StickerSet.Sticker s, String code, List<StickerOutcome> outcomes, int[] counts) {
        byte[] file;
        try {
            file = telegram.downloadFile(s.fileId());
        } catch (TelegramException e) {
            if (e.errorCode() == 0) {
                throw e;   // Telegram unreachable: stop, nothing is written
            }
            return fallback(s, code, "the file could not be downloaded (" + e.getMessage() + ")", outcomes, counts);
        }
        byte[] main;
        String result;
        switch (s.format()) {
            case "static" -> {
                Optional<ImageFacts> facts = ImageFacts.of(file);
                if (facts.isEmpty()) {
                    return fallback(s, code, "the sticker file is not a readable image", outcomes, counts);
                }
                main = file;
                result = "kept";
            }
            case "video", "animated" -> {
                Converters.Result converted = s.format().equals("video") ? converters.video(file) : converters.lottie(file);
                if (converted.webp().isEmpty()) {
                    return fallback(s, code, converted.reason(), outcomes, counts);
                }
                main = converted.webp().get();
                result = "converted";
            }
            default -> throw new IllegalStateException(s.format());
        }
        ImageFacts facts = ImageFacts.of(main).orElseThrow();
        String url = uploadOnce(main, facts.mimetype(), s.fileUniqueId(), counts);
        JsonObjectBuilder info = info(facts, main.length, s.format().equals("static") ? facts.animated() : true);
        thumbnail(s, counts).ifPresentOrElse(t -> info.add("thumbnail_url", t.url()).add("thumbnail_info", t.info()),
                () -> info.add("thumbnail_url", url).add("thumbnail_info", thumbnailInfo(facts, main.length)));
        outcomes.add(new StickerOutcome(s.fileUniqueId(), code, s.format(), result, result.equals("kept")
                ? "static WebP kept as it is" : "converted to animated WebP"));
        return Optional.of(entry(url, s, code, info));
    }

    private Optional<JsonObject> fallback(StickerSet.Sticker s, String code, String reason, List<StickerOutcome> outcomes,
                                          int[] counts) {
        if (s.thumbnail() == null) {
            outcomes.add(new StickerOutcome(s.fileUniqueId(), null, s.format(), "skipped", reason + "; it has no thumbnail"));
            return Optional.empty();
        }
        byte[] thumb;
        try {
            thumb = telegram.downloadFile(s.thumbnail().fileId());
        } catch (TelegramException e) {
            if (e.errorCode() == 0) {
                throw e;
            }
            outcomes.add(new StickerOutcome(s.fileUniqueId(), null, s.format(), "skipped", reason
                    + "; its thumbnail could not be downloaded"));
            return Optional.empty();
        }
        Optional<ImageFacts> facts = ImageFacts.of(thumb);
        if (facts.isEmpty()) {
            outcomes.add(new StickerOutcome(s.fileUniqueId(), null, s.format(), "skipped", reason
                    + "; its thumbnail is not a readable image"));
            return Optional.empty();
        }
        String url = uploadOnce(thumb, facts.get().mimetype(), s.fileUniqueId() + "-thumb", counts);
        JsonObjectBuilder info = info(facts.get(), thumb.length, facts.get().animated())
                .add("thumbnail_url", url).add("thumbnail_info", thumbnailInfo(facts.get(), thumb.length));
        outcomes.add(new StickerOutcome(s.fileUniqueId(), code, s.format(), "thumbnail", reason));
        return Optional.of(entry(url, s, code, info));
    }

    private record Thumb(String url, JsonObject info) {}

    private Optional<Thumb> thumbnail(StickerSet.Sticker s, int[] counts) {
        if (s.thumbnail() == null) {
            return Optional.empty();
        }
        try {
            byte[] thumb = telegram.downloadFile(s.thumbnail().fileId());
            return ImageFacts.of(thumb).map(f -> new Thumb(uploadOnce(thumb, f.mimetype(), s.fileUniqueId() + "-thumb", counts),
                    thumbnailInfo(f, thumb.length).build()));
        } catch (TelegramException e) {
            if (e.errorCode() == 0) {
                throw e;
            }
            return Optional.empty();
        }
    }

    private static JsonObject entry(String url, StickerSet.Sticker s, String code, JsonObjectBuilder info) {
        return Json.createObjectBuilder().add("url", url)
                .add("body", s.emoji() == null || s.emoji().isBlank() ? code : s.emoji())
                .add("info", info).build();
    }

    private static JsonObjectBuilder info(ImageFacts facts, int size, boolean animated) {
        return Json.createObjectBuilder().add("w", facts.width()).add("h", facts.height()).add("size", size)
                .add("mimetype", facts.mimetype()).add("is_animated", animated);
    }

    private static JsonObjectBuilder thumbnailInfo(ImageFacts facts, int size) {
        return Json.createObjectBuilder().add("w", facts.width()).add("h", facts.height()).add("size", size)
                .add("mimetype", facts.mimetype());
    }

    /** The mxc of these bytes: uploaded the first time, then found by their SHA-256 in the bridge's store. */
    private String uploadOnce(byte[] bytes, String mimetype, String name, int[] counts) {
        String hash = sha256(bytes);
        Optional<BridgeStore.Mapping> known = store.byRemote(MEDIA, hash);
        if (known.isPresent()) {
            counts[1]++;
            return known.get().matrixId();
        }
        String ext = mimetype.substring(mimetype.indexOf('/') + 1);
        String mxc = bot.upload(bytes, mimetype, name + "." + ext);
        store.putMapping(new BridgeStore.Mapping(MEDIA, hash, mxc, mimetype));
        counts[0]++;
        return mxc;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
