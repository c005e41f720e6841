package org.hearth.plugins.stickers;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.regex.Pattern;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Image packs as the spec (v1.19, "Image packs") defines them: the content of {@code m.room.image_pack}, the same
 * content the unstable {@code im.ponies.room_emotes} and {@code im.ponies.user_emotes} carry, and the
 * {@code ImageInfo} of {@code m.sticker}. No I/O.
 */
final class ImagePacks {
    /** Spec: {@code shortcode = 1*100(ALPHA / DIGIT / "-" / "_")}. */
    static final Pattern SHORTCODE = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    static final Pattern MXC = Pattern.compile("mxc://([A-Za-z0-9.:\\[\\]-]+)/([A-Za-z0-9_-]+)");
    static final int MAX_SIDE = 8192;
    static final long MAX_SIZE = 100L * 1024 * 1024;
    static final int MAX_IMAGES = 500;

    static final String ROOM_PACK = "m.room.image_pack";
    static final String ROOM_PACK_UNSTABLE = "im.ponies.room_emotes";
    static final String USER_PACK_UNSTABLE = "im.ponies.user_emotes";
    static final String PACK_ROOMS = "m.image_pack.rooms";
    static final String PACK_ROOMS_UNSTABLE = "im.ponies.emote_rooms";

    private ImagePacks() {}

    static boolean isShortcode(String s) {
        return SHORTCODE.matcher(s).matches();
    }

    static boolean isMxc(JsonValue v) {
        return v instanceof JsonString s && MXC.matcher(s.getString()).matches();
    }

    /** The pack's content when it is well-formed; otherwise 400 {@code M_BAD_JSON} saying what is wrong. */
    static JsonObject validated(JsonObject content) {
        if (!(content.get("images") instanceof JsonObject images)) {
            throw bad("images (an object of shortcode to image) is required");
        }
        if (images.size() > MAX_IMAGES) {
            throw bad("a pack holds at most " + MAX_IMAGES + " images");
        }
        for (var image : images.entrySet()) {
            String code = image.getKey();
            if (!isShortcode(code)) {
                throw bad("shortcode " + code + " is not 1 to 100 of A-Z a-z 0-9 - _");
            }
            if (!(image.getValue() instanceof JsonObject o)) {
                throw bad("image " + code + " must be an object");
            }
            if (!isMxc(o.get("url"))) {
                throw bad("image " + code + " needs a url that is an mxc:// URI");
            }
            if (o.containsKey("body") && !(o.get("body") instanceof JsonString)) {
                throw bad("image " + code + ": body must be a string");
            }
            if (o.containsKey("info")) {
                info(o.get("info"), "image " + code);
            }
        }
        if (content.containsKey("pack")) {
            if (!(content.get("pack") instanceof JsonObject pack)) {
                throw bad("pack must be an object");
            }
            for (String key : new String[] {"display_name", "attribution"}) {
                if (pack.containsKey(key) && !(pack.get(key) instanceof JsonString)) {
                    throw bad("pack." + key + " must be a string");
                }
            }
            if (pack.containsKey("avatar_url") && !isMxc(pack.get("avatar_url"))) {
                throw bad("pack.avatar_url must be an mxc:// URI");
            }
            if (pack.containsKey("usage")) {
                if (!(pack.get("usage") instanceof JsonArray usage)) {
                    throw bad("pack.usage must be an array");
                }
                for (JsonValue u : usage) {
                    if (!(u instanceof JsonString s) || !(s.getString().equals("emoticon") || s.getString().equals("sticker"))) {
                        throw bad("pack.usage holds only emoticon and sticker");
                    }
                }
            }
        }
        return content;
    }

    /** An {@code ImageInfo}: dimensions 1 to {@link #MAX_SIDE}, a size up to {@link #MAX_SIZE}, an image type. */
    static JsonObject info(JsonValue value, String where) {
        if (!(value instanceof JsonObject info)) {
            throw bad(where + ": info must be an object");
        }
        for (String side : new String[] {"w", "h"}) {
            if (info.containsKey(side)) {
                long n = integer(info.get(side), where + ": info." + side);
                if (n < 1 || n > MAX_SIDE) {
                    throw bad(where + ": info." + side + " must be from 1 to " + MAX_SIDE);
                }
            }
        }
        if (info.containsKey("size")) {
            long n = integer(info.get("size"), where + ": info.size");
            if (n < 0 || n > MAX_SIZE) {
                throw bad(where + ": info.size must be from 0 to " + MAX_SIZE);
            }
        }
        if (info.containsKey("mimetype") && !(info.get("mimetype") instanceof JsonString type
                && type.getString().startsWith("image/"))) {
            throw bad(where + ": info.mimetype must be an image type");
        }
        return info;
    }

    private static long integer(JsonValue v, String what) {
        if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
            throw bad(what + " must be an integer");
        }
        return n.longValue();
    }

    static boolean forStickers(JsonObject content) {
        if (!(content.get("pack") instanceof JsonObject pack) || !(pack.get("usage") instanceof JsonArray usage)
                || usage.isEmpty()) {
            return true;
        }
        return usage.stream().anyMatch(u -> u instanceof JsonString s && s.getString().equals("sticker"));
    }

    /** A file or directory name as a shortcode: characters outside the grammar become {@code _}. */
    static String shortcodeOf(String name) {
        String code = name.replaceAll("[^A-Za-z0-9_-]", "_");
        return code.length() > 100 ? code.substring(0, 100) : code.isEmpty() ? "_" : code;
    }

    static MatrixException bad(String message) {
        return new MatrixException(ErrorCode.BAD_JSON, message);
    }
}
