package org.hearth.plugins.invites;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.hearth.plugin.api.Homeserver;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * The rules of invite links, in one place for the HTTP routes ({@link InviteLinks}) and the bot ({@link InviteBot}):
 * who manages a room's links (whoever may change its join rules), expiry and use limits, and redeeming (the link's
 * creator invites the user, who then joins). Links live in the plugin's key-value store: {@code link:<code>}, plus
 * {@code room:<roomId>:<code>} to list a room's.
 */
final class Links {
    static final Duration DEFAULT_EXPIRY = Duration.ofDays(7);
    static final Duration MAX_EXPIRY = Duration.ofDays(365);
    static final long MAX_USES = 1_000_000;
    static final int MAX_LINKS_PER_ROOM = 500;
    static final int CODE_LENGTH = 16;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Homeserver homeserver;

    Links(Homeserver homeserver) {
        this.homeserver = homeserver;
    }

    /** {@code plugin_config.invites.default_expiry_ms}, else 7 days. */
    Duration defaultExpiry() {
        return Optional.ofNullable(homeserver.config().getString("default_expiry_ms", null))
                .map(v -> Duration.ofMillis(Long.parseLong(v))).orElse(DEFAULT_EXPIRY);
    }

    /**
     * Where a browser opens a link: {@code plugin_config.invites.link_base_url} (the server's public URL), else
     * {@code https://<server name>}.
     */
    String url(String code) {
        String base = homeserver.config().getString("link_base_url", "https://" + homeserver.serverName());
        return base.replaceAll("/+$", "") + "/_hearth/plugins/invites/web/link/" + code;
    }

    /** A new link; empty expiry is the default one, empty uses unlimited. Nothing is stored when refused. */
    JsonObject create(String room, String user, Optional<Long> expiresInMs, Optional<Long> maxUses) {
        requireAdmin(room, user);
        long expiresIn = expiresInMs.orElse(defaultExpiry().toMillis());
        if (expiresIn < 1 || expiresIn > MAX_EXPIRY.toMillis()) {
            throw new MatrixException(ErrorCode.BAD_JSON, "expires_in_ms must be from 1 to " + MAX_EXPIRY.toMillis()
                    + " (365 days)");
        }
        if (maxUses.isPresent() && (maxUses.get() < 1 || maxUses.get() > MAX_USES)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "max_uses must be from 1 to " + MAX_USES);
        }
        if (homeserver.store().list("room:" + room + ":", MAX_LINKS_PER_ROOM).size() >= MAX_LINKS_PER_ROOM) {
            throw new MatrixException(ErrorCode.LIMIT_EXCEEDED, "This room has " + MAX_LINKS_PER_ROOM + " links; revoke some");
        }
        String code = newCode();
        long now = System.currentTimeMillis();
        var link = Json.objectBuilder().add("code", code).add("room_id", room).add("created_by", user)
                .add("created_at", now).add("expires_at", now + expiresIn).add("uses", 0).add("revoked", false);
        maxUses.ifPresent(n -> link.add("max_uses", n));
        JsonObject stored = link.build();
        homeserver.store().put("link:" + code, stored);
        homeserver.store().put("room:" + room + ":" + code, JsonValue.EMPTY_JSON_OBJECT);
        return stored;
    }

    /** The room's links, revoked and expired ones too. */
    List<JsonObject> list(String room, String user) {
        requireAdmin(room, user);
        List<JsonObject> out = new ArrayList<>();
        String prefix = "room:" + room + ":";
        for (String key : homeserver.store().list(prefix, MAX_LINKS_PER_ROOM).keySet()) {
            homeserver.store().get("link:" + key.substring(prefix.length())).ifPresent(out::add);
        }
        return out;
    }

    void revoke(String room, String user, String code) {
        requireAdmin(room, user);
        JsonObject link = homeserver.store().get("link:" + code).filter(l -> l.getString("room_id").equals(room))
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No such link in this room"));
        homeserver.store().put("link:" + code, Json.objectBuilder(link).add("revoked", true).build());
    }

    /** Invites (as the link's creator) and joins the user; returns the room. A user already joined spends no use. */
    String redeem(String code, String user) {
        String key = "link:" + code;
        for (int attempt = 0; attempt < 20; attempt++) {
            JsonObject link = homeserver.store().get(key).filter(l -> !l.getBoolean("revoked"))
                    .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown or revoked invite link"));
            String room = link.getString("room_id");
            if (homeserver.membership(room, user).filter("join"::equals).isPresent()) {
                return room;
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
                return room;
            } catch (RuntimeException e) {
                giveBack(key);
                throw e;
            }
        }
        throw new MatrixException(ErrorCode.LIMIT_EXCEEDED, "This invite link is busy; try again");
    }

    /** A stored link, revoked or not. */
    Optional<JsonObject> link(String code) {
        return homeserver.store().get("link:" + code);
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

    /** Whether the text has the shape of a code (so a bare code in a DM is a redeem). */
    static boolean looksLikeCode(String text) {
        if (text.length() != CODE_LENGTH) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (ALPHABET.indexOf(text.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String newCode() {
        StringBuilder code = new StringBuilder(CODE_LENGTH);
        for (int i = 0; i < CODE_LENGTH; i++) {
            code.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return code.toString();
    }
}
