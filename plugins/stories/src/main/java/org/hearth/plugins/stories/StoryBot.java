package org.hearth.plugins.stories;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.plugin.api.DirectMessageBot;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * Watches story rooms (stories posted by their author from any client, viewers who leave or reject, event positions
 * for view counts) and runs the bot, {@code @stories:<server>}, which answers commands in a DM so an unmodified
 * client reaches every feature.
 */
@Extension
public final class StoryBot implements EventObserver {
    static final String HELP = """
            I run stories on this server. Your story room shows what you post there for 24 hours; viewers do not see \
            each other.
            !story <text>: post a text story (or post in your story room)
            !audience contacts | everyone | @user:server ...: who sees your stories
            !stories: your stories and how many people viewed each
            !feed: stories you can see
            !reply <event ID> <text>: answer a story in a DM with its author
            !highlight <event ID>: keep a story past 24 hours
            !mute @user:server, !unmute @user:server: hide or show someone's stories
            !help: this text""";

    private final Stories stories;
    private final Homeserver homeserver;
    private final DirectMessageBot bot;
    private final Map<String, Optional<String>> authors = new ConcurrentHashMap<>();

    public StoryBot(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.stories = new Stories(homeserver);
        this.bot = new DirectMessageBot(homeserver, "stories", this::command);
    }

    @Override
    public void observe(ObservedEvent event) {
        if (event.sender().equals(bot.userId())) {
            return;
        }
        Optional<String> author = author(event.roomId());
        if (author.isPresent()) {
            storyRoom(event, author.get());
            return;
        }
        bot.observe(event);
    }

    /**
     * The author of a story room; empty for any other room. Cached once known: a room's type and author never change.
     * A story room whose author is not recorded yet (its creation is still being observed) is not cached.
     */
    private Optional<String> author(String roomId) {
        Optional<String> known = authors.get(roomId);
        if (known != null) {
            return known;
        }
        if (authors.size() > 10_000) {
            authors.clear();
        }
        boolean storyRoom = homeserver.state(roomId, "m.room.create", "")
                .map(c -> Stories.ROOM_TYPE.equals(c.getString("type", ""))).orElse(false);
        if (!storyRoom) {
            authors.put(roomId, Optional.empty());
            return Optional.empty();
        }
        Optional<String> author = stories.authorOf(roomId);
        author.ifPresent(a -> authors.put(roomId, author));
        return author;
    }

    private void storyRoom(ObservedEvent event, String author) {
        stories.recordPosition(event.eventId(), event.roomId(), event.streamPosition());
        if (event.type().equals("m.room.message") && event.sender().equals(author)
                && Stories.MSGTYPES.contains(event.content().getString("msgtype", ""))) {
            stories.record(event.eventId(), event.roomId(), author, event.streamPosition(), event.content());
            if (homeserver.store().get("delivered:" + event.eventId()).isEmpty()) {
                stories.deliverRemote(author, event.eventId(), event.content());
                homeserver.store().put("delivered:" + event.eventId(), Json.objectBuilder().build());
            }
        } else if (event.type().equals("m.room.member") && event.stateKey().filter(event.sender()::equals).isPresent()
                && !event.sender().equals(author) && event.content().getString("membership", "").equals("leave")) {
            stories.declined(author, event.sender());
        }
    }

    private String command(String user, String body) {
        String[] words = body.split("\\s+", 3);
        String rest = body.contains(" ") ? body.substring(body.indexOf(' ') + 1).strip() : "";
        switch (words[0]) {
            case "!help":
                return HELP;
            case "!story":
                if (rest.isEmpty()) {
                    return "Write the story after !story.";
                }
                stories.post(user, Stories.parseStory(Json.objectBuilder().add("msgtype", "m.text").add("body", rest).build()));
                return "Posted. It disappears in 24 hours unless you highlight it.";
            case "!audience": {
                List<String> users = new ArrayList<>();
                String audience = rest;
                if (rest.startsWith("@")) {
                    audience = "selected";
                    users.addAll(List.of(rest.split("\\s+")));
                }
                var request = Json.objectBuilder().add("audience", audience).add("users", jakarta.json.Json.createArrayBuilder(users)).build();
                stories.setAudience(user, audience, Stories.parseAudience(request));
                return "Your audience is now " + (users.isEmpty() ? audience : String.join(", ", users)) + ".";
            }
            case "!stories": {
                var mine = stories.storiesOf(user);
                if (mine.isEmpty()) {
                    return "You have no live stories.";
                }
                StringBuilder out = new StringBuilder("Your stories:");
                for (var story : mine) {
                    JsonObject content = Json.parse((String) story.get("content")).asJsonObject();
                    out.append("\n- ").append(content.getString("body", "")).append(" (").append(story.get("event_id"))
                            .append("): ").append(stories.views(story)).append(" views");
                    if (Stories.truthy(story.get("highlight"))) {
                        out.append(", highlighted");
                    }
                }
                return out.toString();
            }
            case "!feed": {
                var feed = stories.feed(user);
                if (feed.isEmpty()) {
                    return "No stories for you right now.";
                }
                StringBuilder out = new StringBuilder("Stories:");
                for (var story : feed) {
                    JsonObject content = Json.parse((String) story.get("content")).asJsonObject();
                    out.append("\n- ").append(story.get("author")).append(": ").append(content.getString("body", ""))
                            .append(" (").append(story.get("event_id")).append(")");
                }
                return out.toString();
            }
            case "!reply":
                if (words.length < 3) {
                    return "Use !reply <event ID> <text>.";
                }
                stories.reply(user, words[1], words[2]);
                return "Sent to the author in your DM.";
            case "!highlight":
                if (words.length < 2) {
                    return "Use !highlight <event ID>.";
                }
                stories.setHighlight(user, words[1], true);
                return "Highlighted: it stays past 24 hours.";
            case "!mute", "!unmute":
                if (words.length < 2) {
                    return "Name the user: " + words[0] + " @user:server.";
                }
                stories.mute(user, words[1], words[0].equals("!mute"));
                return (words[0].equals("!mute") ? "Muted " : "Unmuted ") + words[1] + ".";
            default:
                return "I do not know " + words[0] + ". " + HELP;
        }
    }
}
