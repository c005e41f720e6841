package org.hearth.plugins.receipts;

import java.util.Map;
import org.hearth.plugin.api.DirectMessageBot;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.pf4j.Extension;

/**
 * The bot, {@code @receipts:<server>}: the plugin's settings and statuses from an unmodified client, in a DM with
 * it. It joins when invited and answers {@code !help}, {@code !delivery off|on}, {@code !status} (the caller's
 * settings) and {@code !status <event ID>} (who has a message of the caller's: sent, delivered or read). The only
 * setting is the plugin's, delivery receipts; read receipts' privacy is the client's ({@code m.read.private}).
 */
@Extension
public final class ReceiptBot implements EventObserver {
    static final String LOCALPART = "receipts";
    static final String HELP = """
            I run delivery receipts: besides read, your messages show as delivered once a device of the recipient \
            received them.
            !delivery off: others no longer see when your devices received their messages, and (as WhatsApp does it) \
            you no longer see theirs. !delivery on turns them back on.
            !status: your settings. !status <event ID>: sent, delivered or read for each member, for a message of yours.
            Read receipts are your client's setting: turn off sending read receipts (Element: Settings, Preferences) \
            and it sends private ones that no one else sees; your messages then show as delivered to others, never read.
            !help: this text""";

    private final Homeserver homeserver;
    private final DirectMessageBot bot;
    private final DeliveryLedger ledger;
    private final DeliveryStatus status;

    public ReceiptBot(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.ledger = new DeliveryLedger(homeserver);
        this.status = new DeliveryStatus(homeserver, ledger);
        this.bot = new DirectMessageBot(homeserver, LOCALPART, (sender, body) -> command(sender, body.split("\\s+")));
    }

    @Override
    public void observe(ObservedEvent event) {
        bot.observe(event);
    }

    private String command(String user, String[] words) {
        return switch (words[0]) {
            case "!help" -> HELP;
            case "!delivery" -> {
                if (words.length != 2 || !(words[1].equals("on") || words[1].equals("off"))) {
                    yield "Use !delivery off or !delivery on.";
                }
                ledger.setDeliveryReceipts(user, words[1].equals("on"));
                yield words[1].equals("on") ? "Delivery receipts are on: others see when your devices received their"
                        + " messages, and you see theirs."
                        : "Delivery receipts are off: no one sees when your devices received their messages, and you"
                        + " see no one's.";
            }
            case "!status" -> words.length > 1 ? eventStatus(user, words[1]) : settings(user);
            default -> "I do not know " + words[0] + ". " + HELP;
        };
    }

    private String settings(String user) {
        return "Delivery receipts: " + (ledger.sendsDeliveryReceipts(user) ? "on" : "off")
                + ". Read receipts: your client's setting (private read receipts are never shown to others).";
    }

    private String eventStatus(String user, String eventId) {
        Map<String, String> recipients = status.recipients(status.ownEvent(user, eventId));
        if (recipients.isEmpty()) {
            return "No one else is in that room.";
        }
        StringBuilder out = new StringBuilder("Your message " + eventId + ":");
        recipients.forEach((member, state) -> out.append("\n- ").append(member).append(": ").append(state));
        return out.toString();
    }
}
