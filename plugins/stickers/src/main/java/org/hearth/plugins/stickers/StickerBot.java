package org.hearth.plugins.stickers;

import java.util.List;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * The plugin's bot, {@code @stickers:<server>}: it accepts invites and answers {@code !help} and {@code !packs} in a
 * DM, so a client without image pack support still reaches the feature. It also enables the system packs for each
 * local user the first time the user joins a room ({@code plugin_config.stickers.auto_enable}, default true).
 */
@Extension
public final class StickerBot implements EventObserver {
    static final String HELP = """
            I manage this server's sticker packs.
            !packs: the packs you can use
            !help: this text
            Packs you enable (m.image_pack.rooms) show in clients with image packs; in Element, install the sticker \
            picker with POST /_hearth/plugins/stickers/widget.""";

    private final Homeserver homeserver;
    private final Packs packs;

    public StickerBot(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.packs = new Packs(homeserver);
        try {
            packs.bot(); // registered at load, outside the call budget (a slow password hash could outlast it on every event)
        } catch (RuntimeException e) {
            // registered on the first event instead
        }
    }

    @Override
    public void observe(ObservedEvent event) {
        String bot = packs.bot();
        if (event.sender().equals(bot) || !event.sender().endsWith(":" + homeserver.serverName())) {
            return;
        }
        if (event.type().equals("m.room.member") && event.stateKey().isPresent()) {
            String membership = event.content().getString("membership", "");
            if (membership.equals("invite") && event.stateKey().get().equals(bot)
                    && homeserver.membership(event.roomId(), bot).filter("invite"::equals).isPresent()) {
                homeserver.join(event.roomId(), bot);
            } else if (membership.equals("join") && event.stateKey().get().equals(event.sender())
                    && !homeserver.config().getString("auto_enable", "true").equals("false")) {
                packs.enrol(event.sender());
            }
            return;
        }
        if (!event.type().equals("m.room.message")) {
            return;
        }
        String body = event.content().getString("body", "").strip();
        if (!body.startsWith("!") || homeserver.store().get("answered:" + event.eventId()).isPresent()) {
            return;
        }
        List<String> members = homeserver.joinedMembers(event.roomId());
        if (!members.contains(bot) || members.size() != 2) {
            return; // a DM with the bot only
        }
        String answer = switch (body.split("\\s+")[0]) {
            case "!help" -> HELP;
            case "!packs" -> packList(event.sender());
            default -> "I do not know " + body.split("\\s+")[0] + ". " + HELP;
        };
        homeserver.sendEvent(event.roomId(), bot, "m.room.message",
                Json.objectBuilder().add("msgtype", "m.notice").add("body", answer).build());
        homeserver.store().put("answered:" + event.eventId(), Json.objectBuilder().build());
    }

    private String packList(String user) {
        List<Packs.Pack> available = packs.available(user);
        if (available.isEmpty()) {
            return "You have no packs yet.";
        }
        StringBuilder out = new StringBuilder("Your packs:");
        for (Packs.Pack pack : available) {
            out.append("\n- ").append(pack.displayName()).append(" (").append(pack.source()).append(", ")
                    .append(pack.content().getJsonObject("images").size()).append(" images)");
        }
        return out.toString();
    }
}
