package org.hearth.plugins.invites;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.List;
import java.util.Optional;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * Invite links: a room admin (whoever may change the room's join rules) creates a code with an expiry and an
 * optional number of uses; whoever redeems it is invited by the link's creator and joined. Served under
 * {@code /_hearth/plugins/invites/}:
 * <ul>
 *   <li>{@code POST /rooms/{roomId}/links} {@code {"expires_in_ms"?, "max_uses"?}}: a new link</li>
 *   <li>{@code GET /rooms/{roomId}/links}: the room's links, revoked and expired ones too</li>
 *   <li>{@code DELETE /rooms/{roomId}/links/{code}}: revokes one</li>
 *   <li>{@code POST /links/{code}/redeem}: joins the caller</li>
 * </ul>
 * The rules are {@link Links}'; the bot ({@link InviteBot}) offers the same in a DM, and {@link LinkPage} answers a
 * link opened in a browser.
 */
@Extension
public final class InviteLinks implements PluginRoutes {
    private final Links links;

    public InviteLinks(Homeserver homeserver) {
        this.links = new Links(homeserver);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.post("/rooms/{roomId}/links", this::create),
                Route.get("/rooms/{roomId}/links", this::list),
                Route.delete("/rooms/{roomId}/links/{code}", this::revoke),
                Route.post("/links/{code}/redeem", this::redeem));
    }

    private PluginResponse create(PluginRequest req) {
        JsonObject body = req.body().orElse(JsonValue.EMPTY_JSON_OBJECT);
        JsonObject link = links.create(req.pathParam("roomId"), req.user(), optionalLong(body, "expires_in_ms"),
                optionalLong(body, "max_uses"));
        return PluginResponse.ok(Json.objectBuilder(link).add("url", links.url(link.getString("code"))).build());
    }

    private PluginResponse list(PluginRequest req) {
        var out = Json.arrayBuilder();
        links.list(req.pathParam("roomId"), req.user()).forEach(out::add);
        return PluginResponse.ok(Json.objectBuilder().add("links", out).build());
    }

    private PluginResponse revoke(PluginRequest req) {
        links.revoke(req.pathParam("roomId"), req.user(), req.pathParam("code"));
        return PluginResponse.ok(JsonValue.EMPTY_JSON_OBJECT);
    }

    private PluginResponse redeem(PluginRequest req) {
        String room = links.redeem(req.pathParam("code"), req.user());
        return PluginResponse.ok(Json.objectBuilder().add("room_id", room).build());
    }

    /** An integer field's value; its range is {@link Links}' to check. */
    private static Optional<Long> optionalLong(JsonObject body, String key) {
        if (!body.containsKey(key)) {
            return Optional.empty();
        }
        JsonValue value = body.get(key);
        if (!(value instanceof JsonNumber number) || !number.isIntegral()) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an integer");
        }
        try {
            return Optional.of(number.longValueExact());
        } catch (ArithmeticException e) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " is out of range");
        }
    }
}
