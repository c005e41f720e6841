package org.hearth.plugins.stickers;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.Optional;
import java.util.regex.Matcher;
import org.hearth.plugin.api.EventCheck;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ProposedEvent;
import org.hearth.plugin.api.Verdict;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.pf4j.Extension;

/**
 * Local users' {@code m.sticker} events must carry a body, an image info with sane sizes and an {@code mxc://} URL
 * (400 {@code M_BAD_JSON} otherwise); media of this server must exist and be an image of the declared size (403
 * {@code M_FORBIDDEN} for unknown media). Image packs sent as state must follow the pack format and the shortcode
 * grammar, which the spec lets a server enforce on clients' sends.
 */
@Extension
public final class StickerCheck implements EventCheck {
    private final Homeserver homeserver;

    public StickerCheck(Homeserver homeserver) {
        this.homeserver = homeserver;
    }

    @Override
    public Verdict check(ProposedEvent event) {
        try {
            switch (event.type()) {
                case "m.sticker" -> sticker(event.content());
                case ImagePacks.ROOM_PACK, ImagePacks.ROOM_PACK_UNSTABLE -> {
                    // A redacted or emptied pack (no content) is a removal.
                    if (event.stateKey().isPresent() && !event.content().isEmpty()) {
                        ImagePacks.validated(event.content());
                    }
                }
                default -> { }
            }
            return Verdict.ALLOW;
        } catch (MatrixException e) {
            return Verdict.refuse(e.code(), e.getMessage());
        }
    }

    private void sticker(JsonObject content) {
        if (!(content.get("body") instanceof JsonString)) {
            throw ImagePacks.bad("a sticker needs a body");
        }
        if (!(content.get("url") instanceof JsonString url) || !ImagePacks.MXC.matcher(url.getString()).matches()) {
            throw ImagePacks.bad("a sticker needs a url that is an mxc:// URI");
        }
        if (!content.containsKey("info")) {
            throw ImagePacks.bad("a sticker needs an info object");
        }
        JsonObject info = ImagePacks.info(content.get("info"), "sticker");
        Matcher mxc = ImagePacks.MXC.matcher(url.getString());
        mxc.matches();
        if (!mxc.group(1).equals(homeserver.serverName())) {
            return; // another server's media: it cannot be checked here
        }
        Optional<JsonObject> media = homeserver.media(url.getString());
        if (media.isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "No media " + url.getString() + " on this server");
        }
        if (!media.get().getString("content_type", "").startsWith("image/")) {
            throw ImagePacks.bad("the sticker's media is not an image");
        }
        if (info.get("size") instanceof JsonNumber size && size.longValue() != media.get().getJsonNumber("size").longValue()) {
            throw ImagePacks.bad("info.size is " + size.longValue() + " but the media has "
                    + media.get().getJsonNumber("size").longValue() + " bytes");
        }
    }
}
