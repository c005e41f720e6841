package org.hearth.bridge.telegram;

import jakarta.json.JsonObject;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import org.hearth.bridge.appservice.BridgeEvents;
import org.hearth.bridge.appservice.BridgeStore;
import org.hearth.bridge.appservice.HomeserverClient;
import org.hearth.bridge.appservice.MatrixException;

/**
 * The bridge's bot: joins rooms it is invited to, and answers a message holding a sticker set link (in its DMs, also
 * a bare set name) by importing the set as a pack of that room, then replying with the report. In other rooms it
 * stays quiet about anything but links. Imports run off the transaction thread, so the homeserver's transactions are
 * never held up by Telegram.
 */
public final class StickerBot implements BridgeEvents {
    private static final Logger LOG = System.getLogger(StickerBot.class.getName());
    static final String HELP = "Send me a Telegram sticker set link (https://t.me/addstickers/NAME) or its name, and I "
            + "will add it to this room's image packs.";

    private final HomeserverClient client;
    private final StickerImporter importer;
    private final BridgeStore store;
    // Store kind of the rooms the bot was invited to as a DM (is_direct), with the inviter.
    static final String DIRECT = "dm";

    public StickerBot(HomeserverClient client, StickerImporter importer, BridgeStore store) {
        this.client = client;
        this.importer = importer;
        this.store = store;
    }

    @Override
    public void onEvent(JsonObject event) {
        String type = event.getString("type", "");
        String room = event.getString("room_id", null);
        String sender = event.getString("sender", "");
        String bot = client.botUserId();
        if (room == null || sender.equals(bot)) {
            return;
        }
        if (type.equals("m.room.member") && bot.equals(event.getString("state_key", null))
                && "invite".equals(event.getJsonObject("content").getString("membership", ""))) {
            client.bot().join(room);
            if (event.getJsonObject("content").getBoolean("is_direct", false)) {
                store.putMapping(new BridgeStore.Mapping(DIRECT, room, sender, null));
                client.bot().sendNotice(room, HELP);
            }
            return;
        }
        if (!type.equals("m.room.message") || !(event.get("content") instanceof JsonObject content)
                || !"m.text".equals(content.getString("msgtype", ""))) {
            return;
        }
        boolean direct = store.byRemote(DIRECT, room).isPresent();
        String body = content.getString("body", "");
        Optional<String> set = direct ? SetLinks.parse(body) : SetLinks.parseLink(body);
        if (set.isEmpty()) {
            if (direct) {
                client.bot().sendNotice(room, HELP);
            }
            return;
        }
        Thread.ofVirtual().name("sticker-import-" + set.get()).start(() -> runImport(set.get(), room));
    }

    private void runImport(String set, String room) {
        try {
            client.bot().sendNotice(room, "Importing the sticker set " + set + "...");
            client.bot().sendNotice(room, importer.importInto(set, room).summary());
        } catch (TelegramException e) {
            notice(room, "Could not import " + set + ": " + e.getMessage());
        } catch (MatrixException e) {
            notice(room, "Could not import " + set + ": the homeserver refused (" + e.errcode() + ").");
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "import of " + set + " failed", e);
            notice(room, "Could not import " + set + ": " + e.getMessage());
        }
    }

    private void notice(String room, String text) {
        try {
            client.bot().sendNotice(room, text);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not tell room " + room + ": " + text, e);
        }
    }
}
