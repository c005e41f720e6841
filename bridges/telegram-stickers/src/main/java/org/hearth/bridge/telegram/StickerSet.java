package org.hearth.bridge.telegram;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;

/** Telegram Bot API {@code StickerSet}: the fields the import uses. */
public record StickerSet(String name, String title, String stickerType, List<Sticker> stickers) {

    /** Telegram {@code Sticker}; {@code thumbnail} may be null, {@code emoji} may be null. */
    public record Sticker(String fileId, String fileUniqueId, int width, int height, boolean isAnimated,
                          boolean isVideo, String emoji, Thumbnail thumbnail) {
        /** {@code static}, {@code video} (.webm) or {@code animated} (.tgs, gzipped Lottie). */
        public String format() {
            return isVideo ? "video" : isAnimated ? "animated" : "static";
        }
    }

    public record Thumbnail(String fileId, String fileUniqueId, int width, int height) {}

    public boolean customEmoji() {
        return "custom_emoji".equals(stickerType);
    }

    static StickerSet parse(JsonObject o) {
        List<Sticker> stickers = o.getJsonArray("stickers").stream().map(JsonValue::asJsonObject).map(s -> {
            JsonObject t = s.containsKey("thumbnail") ? s.getJsonObject("thumbnail")
                    : s.containsKey("thumb") ? s.getJsonObject("thumb") : null;
            return new Sticker(s.getString("file_id"), s.getString("file_unique_id"), s.getInt("width", 0),
                    s.getInt("height", 0), s.getBoolean("is_animated", false), s.getBoolean("is_video", false),
                    s.getString("emoji", null),
                    t == null ? null : new Thumbnail(t.getString("file_id"), t.getString("file_unique_id", ""),
                            t.getInt("width", 0), t.getInt("height", 0)));
        }).toList();
        return new StickerSet(o.getString("name"), o.getString("title", o.getString("name")),
                o.getString("sticker_type", "regular"), stickers);
    }
}
