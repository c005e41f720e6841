package org.hearth.plugins.invites;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.WebPages;
import org.pf4j.Extension;

/**
 * What a browser shows for a link, {@code GET /_hearth/plugins/invites/web/link/<code>} (no access token: the code
 * is the secret): how to redeem it from any Matrix client, by sending the code to the bot. Redeeming needs the
 * user's account, so the page itself joins no one. An unknown, revoked, expired or used-up code is a 404 page.
 */
@Extension
public final class LinkPage implements WebPages {
    private final Homeserver homeserver;
    private final Links links;

    public LinkPage(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.links = new Links(homeserver);
    }

    @Override
    public Optional<WebPage> page(String path, Map<String, String> query) {
        if (!path.startsWith("link/")) {
            return Optional.empty();
        }
        String code = path.substring("link/".length());
        Optional<JsonObject> link = Links.looksLikeCode(code) ? links.link(code) : Optional.empty();
        long now = System.currentTimeMillis();
        boolean usable = link.filter(l -> !l.getBoolean("revoked") && now < l.getJsonNumber("expires_at").longValue()
                && !(l.containsKey("max_uses") && l.getJsonNumber("uses").longValue() >= l.getJsonNumber("max_uses").longValue()))
                .isPresent();
        if (!usable) {
            return Optional.of(new WebPage(404, "text/html; charset=utf-8",
                    html("Invite link not valid", "<p>This invite link is unknown, revoked, expired or used up. Ask the"
                            + " room's admins for a new one.</p>")));
        }
        String bot = "@" + InviteBot.LOCALPART + ":" + homeserver.serverName();
        String room = link.get().getString("room_id");
        String name = homeserver.state(room, "m.room.name", "").map(n -> n.getString("name", "")).filter(n -> !n.isBlank())
                .orElse("a room");
        return Optional.of(WebPage.ok("text/html; charset=utf-8", html("Invitation to " + name,
                "<p>You are invited to <b>" + escape(name) + "</b> on " + escape(homeserver.serverName()) + ".</p>"
                        + "<p>To join, open a direct chat with <a href=\"https://matrix.to/#/" + escape(bot) + "\">"
                        + escape(bot) + "</a> in your Matrix client and send it this code:</p><p><code>" + escape(code) + "</code></p>"
                        + "<p>or <code>!redeem " + escape(code) + "</code>. The bot joins you to the room, which"
                        + " then appears in your room list.</p>")));
    }

    private static byte[] html(String title, String body) {
        return ("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\""
                + " content=\"width=device-width\"><title>" + escape(title) + "</title></head><body><h1>" + escape(title)
                + "</h1>" + body + "</body></html>").getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("'", "&#39;");
    }
}
