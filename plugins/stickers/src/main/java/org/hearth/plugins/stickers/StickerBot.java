package org.hearth.plugins.stickers;

import java.util.List;
import org.hearth.plugin.api.DirectMessageBot;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
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
    private final DirectMessageBot bot;
    private final Packs packs;

    public StickerBot(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.packs = new Packs(homeserver);
        this.bot = new DirectMessageBot(homeserver, Packs.BOT, (sender, body) -> switch (body.split("\\s+")[0]) {
            case "!help" -> HELP;
            case "!packs" -> packList(sender);
            default -> "I do not know " + body.split("\\s+")[0] + ". " + HELP;
        });
    }

    @Override
    public void observe(ObservedEvent event) {
        // A local user's own join enrols them in the system packs (unless auto_enable is false).
        if (event.type().equals("m.room.member") && event.stateKey().filter(event.sender()::equals).isPresent()
                && !event.sender().equals(bot.userId()) && event.sender().endsWith(":" + homeserver.serverName())
                && event.content().getString("membership", "").equals("join")
                && !homeserver.config().getString("auto_enable", "true").equals("false")) {
            packs.enrol(event.sender());
            return;
        }
        bot.observe(event);
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
