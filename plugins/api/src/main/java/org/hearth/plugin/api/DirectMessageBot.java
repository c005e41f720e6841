package org.hearth.plugin.api;

import java.util.List;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * A plugin's bot user that answers commands in a DM, so an unmodified client reaches the plugin: it accepts
 * invites, answers each message of a local user in a room where it is the only other member (once: observers see
 * an event at least once), with an {@code m.notice}. An {@link EventObserver} passes every event to
 * {@link #observe}. Since 0.5.0.
 */
public final class DirectMessageBot {
    /** What the bot says; runs on the observer's thread, within its call budget. */
    public interface Commands {
        /** Whether a message is for the bot; called for every local message observed, so keep it cheap. */
        default boolean addressed(String body) {
            return body.startsWith("!");
        }

        /** The answer to an addressed message; a {@link MatrixException} is answered "That did not work: ...". */
        String answer(String sender, String body);
    }

    private final Homeserver homeserver;
    private final String localpart;
    private final String userId;
    private final Commands commands;
    private volatile boolean registered;

    /**
     * Registers the bot's user now, at load, outside the call budget: a password hash on a busy machine can take
     * longer than the budget, and an observer that overran on every event would get the plugin disabled.
     */
    public DirectMessageBot(Homeserver homeserver, String localpart, Commands commands) {
        this.homeserver = homeserver;
        this.localpart = localpart;
        this.userId = "@" + localpart + ":" + homeserver.serverName();
        this.commands = commands;
        try {
            homeserver.botUser(localpart);
            registered = true;
        } catch (RuntimeException e) {
            // registered on the first event that needs it
        }
    }

    /** The bot's user ID. */
    public String userId() {
        return userId;
    }

    /** Registers the bot's user if loading could not. */
    public void register() {
        if (!registered) {
            homeserver.botUser(localpart);
            registered = true;
        }
    }

    public void observe(ObservedEvent event) {
        if (event.sender().equals(userId) || !event.sender().endsWith(":" + homeserver.serverName())) {
            return;
        }
        if (event.type().equals("m.room.member") && event.stateKey().filter(userId::equals).isPresent()
                && event.content().getString("membership", "").equals("invite")
                && homeserver.membership(event.roomId(), userId).filter("invite"::equals).isPresent()) {
            register();
            homeserver.join(event.roomId(), userId);
            return;
        }
        if (!event.type().equals("m.room.message")) {
            return;
        }
        String body = event.content().getString("body", "").strip();
        String answered = "answered:" + event.eventId();
        if (!commands.addressed(body) || homeserver.store().get(answered).isPresent()) {
            return;
        }
        List<String> members = homeserver.joinedMembers(event.roomId());
        if (!members.contains(userId) || members.size() != 2) {
            return; // a DM with the bot only
        }
        String answer;
        try {
            answer = commands.answer(event.sender(), body);
        } catch (MatrixException e) {
            answer = "That did not work: " + e.getMessage();
        }
        homeserver.sendEvent(event.roomId(), userId, "m.room.message",
                Json.objectBuilder().add("msgtype", "m.notice").add("body", answer).build());
        homeserver.store().put(answered, Json.objectBuilder().build());
    }
}
