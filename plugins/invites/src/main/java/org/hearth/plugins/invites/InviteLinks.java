package org.hearth.plugins.invites;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
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
 * Links live in the plugin's key-value store: {@code link:<code>}, plus {@code room:<roomId>:<code>} to list a room's.
 */
@Extension
public final class InviteLinks implements PluginRoutes {
    static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);
    static final Duration MAX_EXPIRY = Duration.ofDays(365);
    static final long MAX_USES = 1_000_000;
    private static final int MAX_LINKS_PER_ROOM = 500;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Homeserver homeserver;

    public InviteLinks(Homeserver homeserver) {
        this.homeserver = homeserver;
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.post("/rooms/{roomId}/links", this::create),
                Route.get("/rooms/{roomId}/links", this::list),
                Route.delete("/rooms/{roomId}/links/{code}", this::revoke),
                Route.post("/links/{code}/redeem", this::redeem));
    }

    private Duration defaultExpiry() {
        return Optional.ofNullable(homeserver.config().getString("default_expiry_ms", null))
                .map(v -> Duration.ofMillis(Long.parseLong(v))).orElse(DEFAULT_EXPIRY);
    }

    private PluginResponse create(PluginRequest req) {
        String room = req.pathParam("roomId");
        requireAdmin(room, req.user());
        JsonObject body = req.body().orElse(JsonValue.EMPTY_JSON_OBJECT);
        long expiresIn = optionalLong(body, "expires_in_ms", 1, MAX_EXPIRY.toMillis()).orElse(defaultExpiry().toMillis());
        Optional<Long> maxUses = optionalLong(body, "max_uses", 1, MAX_USES);
        if (homeserver.store().list("room:" + room + ":", MAX_LINKS_PER_ROOM).size() >= MAX_LINKS_PER_ROOM) {
            throw new MatrixException(ErrorCode.LIMIT_EXCEEDED, "This room has " + MAX_LINKS_PER_ROOM + " links; revoke some");
        }
        String code = newCode();
        long now = System.currentTimeMillis();
        var link = Json.objectBuilder().add("code", code).add("room_id", room).add("created_by", req.user())
                .add("created_at", now).add("expires_at", now + expiresIn).add("uses", 0).add("revoked", false);
        maxUses.ifPresent(n -> link.add("max_uses", n));
        JsonObject stored = link.build();
        homeserver.store().put("link:" + code, stored);
        homeserver.store().put("room:" + room + ":" + code, JsonValue.EMPTY_JSON_OBJECT);
        return PluginResponse.ok(stored);
    }

    private PluginResponse list(PluginRequest req) {
        String room = req.pathParam("roomId");
        requireAdmin(room, req.user());
        var out = Json.arrayBuilder();
        String prefix = "room:" + room + ":";
        for (String key : homeserver.store().list(prefix, MAX_LINKS_PER_ROOM).keySet()) {
            homeserver.store().get("link:" + key.substring(prefix.length())).ifPresent(out::add);
        }
        return PluginResponse.ok(Json.objectBuilder().add("links", out).build());
    }

    private PluginResponse revoke(PluginRequest req) {
        String room = req.pathParam("roomId");
        requireAdmin(room, req.user());
        String code = req.pathParam("code");
        JsonObject link = homeserver.store().get("link:" + code).filter(l -> l.getString("room_id").equals(room))
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No such link in this room"));
        homeserver.store().put("link:" + code, Json.objectBuilder(link).add("revoked", true).build());
        return PluginResponse.ok(JsonValue.EMPTY_JSON_OBJECT);
    }

    private PluginResponse redeem(PluginRequest req) {
        String code = req.pathParam("code");
        String user = req.user();
        String key = "link:" + code;
        for (int attempt = 0; attempt < 20; attempt++) {
            JsonObject link = homeserver.store().get(key).filter(l -> !l.getBoolean("revoked"))
                    .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown or revoked invite link"));
            String room = link.getString("room_id");
            if (homeserver.membership(room, user).filter("join"::equals).isPresent()) {
                return joined(room); // already in: no use spent
            }
            if (System.currentTimeMillis() >= link.getJsonNumber("expires_at").longValue()) {
                throw new MatrixException(ErrorCode.FORBIDDEN, "This invite link has expired");
            }
            long uses = link.getJsonNumber("uses").longValue();
            if (link.containsKey("max_uses") && uses >= link.getJsonNumber("max_uses").longValue()) {
                throw new MatrixException(ErrorCode.FORBIDDEN, "This invite link has been used up");
            }
            JsonObject spent = Json.objectBuilder(link).add("uses", uses + 1).build();
            if (!homeserver.store().replace(key, link, spent)) {
                continue; // another redeem changed the count first: read again
            }
            try {
                if (homeserver.membership(room, user).filter("invite"::equals).isEmpty()) {
                    homeserver.invite(room, link.getString("created_by"), user);
                }
                homeserver.join(room, user);
                return joined(room);
            } catch (RuntimeException e) {
                giveBack(key);
                throw e;
            }
        }
        throw new MatrixException(ErrorCode.LIMIT_EXCEEDED, "This invite link is busy; try again");
    }

    /** Returns the use a failed redeem had taken. */
    private void giveBack(String key) {
        for (int attempt = 0; attempt < 20; attempt++) {
            Optional<JsonObject> link = homeserver.store().get(key);
            if (link.isEmpty()) {
                return;
            }
            long uses = link.get().getJsonNumber("uses").longValue();
            if (homeserver.store().replace(key, link.get(),
                    Json.objectBuilder(link.get()).add("uses", Math.max(0, uses - 1)).build())) {
                return;
            }
        }
    }

    private static PluginResponse joined(String room) {
        return PluginResponse.ok(Json.objectBuilder().add("room_id", room).build());
    }

    private void requireAdmin(String room, String user) {
        if (!homeserver.roomExists(room)) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room");
        }
        if (homeserver.membership(room, user).filter("join"::equals).isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not in this room");
        }
        if (!homeserver.maySendState(room, user, "m.room.join_rules")) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Only those who may change the join rules manage invite links");
        }
    }

    private static Optional<Long> optionalLong(JsonObject body, String key, long min, long max) {
        if (!body.containsKey(key)) {
            return Optional.empty();
        }
        JsonValue value = body.get(key);
        if (!(value instanceof JsonNumber number) || !number.isIntegral()) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be an integer");
        }
        long n;
        try {
            n = number.longValueExact();
        } catch (ArithmeticException e) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " is out of range");
        }
        if (n < min || n > max) {
            throw new MatrixException(ErrorCode.BAD_JSON, key + " must be from " + min + " to " + max);
        }
        return Optional.of(n);
    }

    private static String newCode() {
        StringBuilder code = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }
}
