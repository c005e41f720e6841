package org.hearth.plugins.broadcast;

import jakarta.json.JsonObject;
import java.util.List;
import org.hearth.plugin.api.DirectMessageBot;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * What an unmodified client does with lists. In a list room its owner (the only member) writes a message: it goes to
 * every recipient, and a notice there reports the delivery per recipient; {@code !name}, {@code !add},
 * {@code !remove}, {@code !recipients} and {@code !help} there manage the list (answered with notices as the owner,
 * the room's only member). The bot, {@code @broadcast:<server>}, answers in a DM: {@code !new <name>} creates a list,
 * {@code !lists}, {@code !help}. An encrypted event of an owner in a DM waiting for the client marks that delivery sent.
 */
@Extension
public final class BroadcastBot implements EventObserver {
    static final String HELP = """
            Broadcast lists: one message, sent to each recipient in your own DM with them; recipients never see \
            each other.
            To me: !new <name> creates a list (a room where only you are), !lists shows yours.
            In a list room: write a message to send it; !add @user:server, !remove @user:server, !name <new name>, \
            !recipients.
            Encrypted DMs: the server cannot encrypt for you; your client must send those copies.""";

    private final Broadcasts broadcasts;
    private final Homeserver homeserver;
    private final DirectMessageBot bot;

    public BroadcastBot(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.broadcasts = new Broadcasts(homeserver);
        this.bot = new DirectMessageBot(homeserver, "broadcast", this::command);
    }

    @Override
    public void observe(ObservedEvent event) {
        if (event.sender().equals(bot.userId()) || !event.sender().endsWith(":" + homeserver.serverName())) {
            return;
        }
        if (event.type().equals("m.room.encrypted")) {
            broadcasts.encryptedSent(event.sender(), event.roomId(), event.eventId());
            return;
        }
        if (event.type().equals("m.room.message")) {
            var owner = broadcasts.ownerOf(event.roomId());
            if (owner.isPresent()) {
                if (owner.get().equals(event.sender()) && !event.content().containsKey(Broadcasts.NOTICE_MARK)
                        && homeserver.store().get("seen:" + event.eventId()).isEmpty()) {
                    inList(event);
                    homeserver.store().put("seen:" + event.eventId(), Json.objectBuilder().build());
                }
                return;
            }
        }
        bot.observe(event);
    }

    /** The DM's commands (the bot answers them in a DM with it only). */
    private String command(String sender, String body) {
        return switch (body.split("\\s+")[0]) {
            case "!help" -> HELP;
            case "!new" -> {
                String name = body.substring(4).strip();
                if (name.isEmpty()) {
                    yield "Name the list: !new <name>.";
                }
                broadcasts.create(sender, Broadcasts.name(jakarta.json.Json.createValue(name)), List.of());
                yield "Created the list " + name + ": open its room and write !add @user:server there.";
            }
            case "!lists" -> {
                StringBuilder out = new StringBuilder("Your lists:");
                for (JsonObject list : broadcasts.lists(sender)) {
                    out.append("\n- ").append(list.getString("name")).append(" (")
                            .append(list.getJsonArray("recipients").size()).append(" recipients)");
                }
                yield out.toString();
            }
            default -> "I do not know " + body.split("\\s+")[0] + ". " + HELP;
        };
    }

    private void inList(ObservedEvent event) {
        String owner = event.sender();
        String room = event.roomId();
        String body = event.content().getString("body", "").strip();
        String answer;
        try {
            if (body.startsWith("!")) {
                String[] words = body.split("\\s+", 2);
                String arg = words.length > 1 ? words[1].strip() : "";
                answer = switch (words[0]) {
                    case "!add" -> {
                        broadcasts.setRecipient(owner, room, Broadcasts.userId(owner, arg), true);
                        yield "Added " + arg + ".";
                    }
                    case "!remove" -> {
                        broadcasts.setRecipient(owner, room, Broadcasts.userId(owner, arg), false);
                        yield "Removed " + arg + ".";
                    }
                    case "!name" -> {
                        broadcasts.rename(owner, room, Broadcasts.name(jakarta.json.Json.createValue(arg)));
                        yield "Renamed to " + arg + ".";
                    }
                    case "!recipients" -> "Recipients: " + String.join(", ",
                            broadcasts.recipientsOf(broadcasts.list(owner, room)));
                    default -> HELP;
                };
            } else {
                answer = Broadcasts.reportText(broadcasts.send(owner, room, event.eventId(),
                        Broadcasts.message(event.content())));
            }
        } catch (MatrixException e) {
            answer = "That did not work: " + e.getMessage();
        }
        homeserver.sendEvent(room, owner, "m.room.message", Json.objectBuilder().add("msgtype", "m.notice")
                .add("body", answer).add(Broadcasts.NOTICE_MARK, true).build());
    }
}
