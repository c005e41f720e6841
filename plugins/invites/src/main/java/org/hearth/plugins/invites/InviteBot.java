package org.hearth.plugins.invites;

import jakarta.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hearth.plugin.api.DirectMessageBot;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.pf4j.Extension;

/**
 * The bot, {@code @invites:<server>}: invite links from an unmodified client, in a DM with it. It joins when
 * invited and answers commands (the rules are {@link Links}', as for the routes). Redeeming joins the user on their
 * behalf (the plugin acts as local users): the link's creator invites them, then they join, as the route does.
 */
@Extension
public final class InviteBot implements EventObserver {
    static final String LOCALPART = "invites";
    static final String HELP = """
            I make invite links for rooms. Room admins (whoever may change the join rules):
            !create <room ID or alias> [7d | 12h | 30m] [uses N]: a new link (default: 7 days, unlimited uses)
            !list <room>: the room's links, with their uses and expiry
            !revoke <room> <code>: the link stops working
            Anyone: !redeem <code>, or send me just the code or the link, and I join you to the room.
            !help: this text""";
    /** A code inside a link this plugin made, or inside any text after "link/". */
    private static final Pattern LINK = Pattern.compile("/links?/([A-Za-z0-9]{" + Links.CODE_LENGTH + "})(?![A-Za-z0-9])");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,6})([dhm])");

    private final Homeserver homeserver;
    private final DirectMessageBot bot;
    private final Links links;

    public InviteBot(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.links = new Links(homeserver);
        this.bot = new DirectMessageBot(homeserver, LOCALPART, new DirectMessageBot.Commands() {
            @Override
            public boolean addressed(String body) {
                return body.startsWith("!") || codeIn(body).isPresent();
            }

            @Override
            public String answer(String sender, String body) {
                try {
                    return body.startsWith("!") ? command(sender, body) : redeem(sender, codeIn(body).orElseThrow());
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            }
        });
    }

    @Override
    public void observe(ObservedEvent event) {
        bot.observe(event);
    }

    /** A message that is just a code, or holds a link with one. */
    static Optional<String> codeIn(String body) {
        if (Links.looksLikeCode(body)) {
            return Optional.of(body);
        }
        Matcher link = LINK.matcher(body);
        return link.find() ? Optional.of(link.group(1)) : Optional.empty();
    }

    private String command(String user, String body) {
        String[] words = body.split("\\s+");
        return switch (words[0]) {
            case "!help" -> HELP;
            case "!create" -> create(user, words);
            case "!list" -> {
                String room = room(words, "!list <room>");
                List<JsonObject> all = links.list(room, user);
                if (all.isEmpty()) {
                    yield "The room has no invite links.";
                }
                StringBuilder out = new StringBuilder("Invite links of " + room + ":");
                long now = System.currentTimeMillis();
                for (JsonObject link : all) {
                    out.append("\n- ").append(link.getString("code")).append(": ").append(describe(link, now));
                }
                yield out.toString();
            }
            case "!revoke" -> {
                String room = room(words, "!revoke <room> <code>");
                if (words.length < 3) {
                    throw new IllegalArgumentException("Use !revoke <room> <code>.");
                }
                links.revoke(room, user, words[2]);
                yield "Revoked " + words[2] + ": it no longer works.";
            }
            case "!redeem" -> {
                if (words.length < 2) {
                    throw new IllegalArgumentException("Use !redeem <code>.");
                }
                yield redeem(user, codeIn(words[1]).orElse(words[1]));
            }
            default -> "I do not know " + words[0] + ". " + HELP;
        };
    }

    private String create(String user, String[] words) {
        String room = room(words, "!create <room> [7d] [uses N]");
        Optional<Long> expiresIn = Optional.empty();
        Optional<Long> uses = Optional.empty();
        for (int i = 2; i < words.length; i++) {
            Matcher duration = DURATION.matcher(words[i]);
            if (duration.matches()) {
                long n = Long.parseLong(duration.group(1));
                expiresIn = Optional.of(switch (duration.group(2)) {
                    case "d" -> n * 86_400_000L;
                    case "h" -> n * 3_600_000L;
                    default -> n * 60_000L;
                });
            } else if (words[i].equals("uses") && i + 1 < words.length && words[i + 1].matches("\\d{1,9}")) {
                uses = Optional.of(Long.parseLong(words[++i]));
            } else if (words[i].equals("once")) {
                uses = Optional.of(1L);
            } else {
                throw new IllegalArgumentException("I did not understand " + words[i]
                        + ". Use !create <room> [7d | 12h | 30m] [uses N].");
            }
        }
        JsonObject link = links.create(room, user, expiresIn, uses);
        return "New invite link for " + room + ": " + links.url(link.getString("code")) + "\nCode: "
                + link.getString("code") + " (" + describe(link, System.currentTimeMillis())
                + "). Whoever gets it sends me the code or the link to join.";
    }

    private String redeem(String user, String code) {
        String room = links.redeem(code, user);
        String name = homeserver.state(room, "m.room.name", "").map(n -> n.getString("name", "")).filter(n -> !n.isBlank())
                .map(n -> n + " (" + room + ")").orElse(room);
        return "You joined " + name + ": https://matrix.to/#/" + room;
    }

    /** The room of a command: a room ID (an alias needs the server to resolve it). */
    private String room(String[] words, String usage) {
        if (words.length < 2) {
            throw new IllegalArgumentException("Use " + usage + ".");
        }
        String target = words[1];
        if (target.startsWith("#")) {
            return homeserver.roomIdForAlias(target).orElseThrow(() ->
                    new IllegalArgumentException("I know no room " + target + "."));
        }
        if (!target.startsWith("!")) {
            throw new IllegalArgumentException("Name the room by its ID (!...:server, in the room's settings) or alias (#...:server).");
        }
        return target;
    }

    private static String describe(JsonObject link, long now) {
        long expires = link.getJsonNumber("expires_at").longValue();
        long uses = link.getJsonNumber("uses").longValue();
        String state = link.getBoolean("revoked") ? "revoked"
                : now >= expires ? "expired"
                : link.containsKey("max_uses") && uses >= link.getJsonNumber("max_uses").longValue() ? "used up"
                : "active";
        String limit = link.containsKey("max_uses") ? uses + " of " + link.getJsonNumber("max_uses").longValue() + " uses"
                : uses + " uses, no limit";
        return state + ", " + limit + ", expires " + Instant.ofEpochMilli(expires).truncatedTo(ChronoUnit.SECONDS);
    }
}
