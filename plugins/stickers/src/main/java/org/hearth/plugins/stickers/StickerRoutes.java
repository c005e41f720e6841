package org.hearth.plugins.stickers;

import jakarta.json.JsonObject;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * The packs over HTTP, under {@code /_hearth/plugins/stickers/}, as the calling user: list what the user can use,
 * set the user's own pack, set a room's pack (both state names, one content), enable a room pack everywhere (both
 * account data names), and install the sticker picker widget in {@code m.widgets}.
 */
@Extension
public final class StickerRoutes implements PluginRoutes {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Homeserver homeserver;
    private final Packs packs;

    public StickerRoutes(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.packs = new Packs(homeserver);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.get("/packs", req -> {
                    var out = Json.arrayBuilder();
                    packs.available(req.user()).forEach(p -> out.add(p.json()));
                    return PluginResponse.ok(Json.objectBuilder().add("packs", out).build());
                }),
                Route.put("/user/pack", req -> {
                    packs.writeUserPack(req.user(), body(req));
                    return PluginResponse.ok(Json.objectBuilder().build());
                }),
                Route.put("/rooms/{roomId}/packs/{stateKey}", req -> {
                    packs.writeRoomPack(req.user(), req.pathParam("roomId"), stateKey(req), body(req));
                    return PluginResponse.ok(Json.objectBuilder().build());
                }),
                Route.put("/rooms/{roomId}/packs/{stateKey}/enabled", req -> enable(req, true)),
                Route.delete("/rooms/{roomId}/packs/{stateKey}/enabled", req -> enable(req, false)),
                Route.post("/widget", req -> PluginResponse.ok(installWidget(req.user()))));
    }

    private PluginResponse enable(PluginRequest req, boolean on) {
        String room = req.pathParam("roomId");
        if (!homeserver.roomExists(room) || homeserver.membership(room, req.user()).filter("join"::equals).isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not in room " + room);
        }
        packs.enable(req.user(), room, stateKey(req), on);
        return PluginResponse.ok(Json.objectBuilder().build());
    }

    /** The pack's state key; {@code _} in the path stands for the empty key. */
    private static String stateKey(PluginRequest req) {
        String key = req.pathParam("stateKey");
        return key.equals("_") ? "" : key;
    }

    private static JsonObject body(PluginRequest req) {
        return req.body().orElseThrow(() -> new MatrixException(ErrorCode.NOT_JSON, "A JSON pack is required"));
    }

    /**
     * Adds (or replaces) the {@code stickerpicker} widget of the user's {@code m.widgets} account data. Its URL holds a
     * fresh token standing for the user, since a widget page is loaded without an access token.
     */
    private JsonObject installWidget(String user) {
        homeserver.store().get("widget:" + user).ifPresent(old -> homeserver.store().delete("token:" + old.getString("token")));
        String token = HexFormat.of().formatHex(bytes());
        homeserver.store().put("token:" + token, Json.objectBuilder().add("user", user).build());
        homeserver.store().put("widget:" + user, Json.objectBuilder().add("token", token).build());
        String base = homeserver.config().getString("public_url", "https://" + homeserver.serverName());
        String url = base.replaceAll("/+$", "") + "/_hearth/plugins/stickers/web/picker.html?token=" + token
                + "&widgetId=$matrix_widget_id";
        JsonObject widget = Json.objectBuilder()
                .add("content", Json.objectBuilder().add("type", "m.stickerpicker").add("url", url)
                        .add("name", "Stickers").add("data", Json.objectBuilder()))
                .add("sender", user).add("state_key", "stickerpicker").add("type", "m.widget").add("id", "stickerpicker")
                .build();
        JsonObject widgets = homeserver.accountData(user, "m.widgets").orElse(Json.objectBuilder().build());
        homeserver.setAccountData(user, "m.widgets", Json.objectBuilder(widgets).add("stickerpicker", widget).build());
        return widget;
    }

    private static byte[] bytes() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return b;
    }
}
