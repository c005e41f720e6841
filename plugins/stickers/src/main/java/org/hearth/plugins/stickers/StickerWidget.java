package org.hearth.plugins.stickers;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.WebPages;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * The sticker picker widget Element shows ({@code m.stickerpicker} in {@code m.widgets}): {@code picker.html}, the
 * packs it shows ({@code packs.json}) and their images ({@code image}), each for the user whose token is in the URL.
 * The page sends a sticker with the widget API's {@code m.sticker} action (postMessage to the client).
 */
@Extension
public final class StickerWidget implements WebPages {
    private static final long MAX_IMAGE = 10L * 1024 * 1024;

    private final Homeserver homeserver;
    private final Packs packs;

    public StickerWidget(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.packs = new Packs(homeserver);
    }

    @Override
    public Optional<WebPage> page(String path, Map<String, String> query) {
        return switch (path) {
            case "picker.html" -> Optional.of(WebPage.ok("text/html; charset=utf-8", resource("/stickers/picker.html")));
            case "packs.json" -> Optional.of(user(query).map(this::packsJson).orElseGet(StickerWidget::forbidden));
            case "image" -> Optional.of(user(query).map(user -> image(user, query.getOrDefault("mxc", "")))
                    .orElseGet(StickerWidget::forbidden));
            default -> Optional.empty();
        };
    }

    private Optional<String> user(Map<String, String> query) {
        String token = query.getOrDefault("token", "");
        if (token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        return homeserver.store().get("token:" + token).map(t -> t.getString("user"));
    }

    private WebPage packsJson(String user) {
        var out = Json.arrayBuilder();
        for (Packs.Pack pack : packs.available(user)) {
            if (ImagePacks.forStickers(pack.content())) {
                out.add(Json.objectBuilder().add("name", pack.displayName()).add("images", pack.content().getJsonObject("images")));
            }
        }
        return WebPage.ok("application/json", Json.objectBuilder().add("packs", out).build().toString()
                .getBytes(StandardCharsets.UTF_8));
    }

    /** Only images of the user's packs: the token is no way to read other media. */
    private WebPage image(String user, String mxc) {
        boolean inPacks = packs.available(user).stream().flatMap(p -> p.content().getJsonObject("images").values().stream())
                .anyMatch(v -> v instanceof JsonObject o && mxc.equals(o.getString("url", null)));
        Optional<byte[]> bytes = inPacks ? homeserver.mediaContent(mxc, MAX_IMAGE) : Optional.empty();
        Optional<JsonObject> media = inPacks ? homeserver.media(mxc) : Optional.empty();
        if (bytes.isEmpty() || media.isEmpty()) {
            return error(404, "M_NOT_FOUND", "No such image");
        }
        return WebPage.ok(media.get().getString("content_type"), bytes.get());
    }

    private static WebPage forbidden() {
        return error(403, "M_FORBIDDEN", "Unknown widget token");
    }

    private static WebPage error(int status, String errcode, String message) {
        return new WebPage(status, "application/json", Json.objectBuilder().add("errcode", errcode).add("error", message)
                .build().toString().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] resource(String name) {
        try (InputStream in = StickerWidget.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the plugin jar lacks " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
