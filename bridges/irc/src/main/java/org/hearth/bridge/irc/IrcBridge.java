package org.hearth.bridge.irc;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.bridge.appservice.BridgeEvents;
import org.hearth.bridge.appservice.BridgeStore;
import org.hearth.bridge.appservice.HomeserverClient;
import org.hearth.bridge.appservice.Intent;
import org.hearth.bridge.appservice.MatrixException;

/**
 * The IRC relay: linked rooms and channels, IRC users as virtual Matrix users {@code @<prefix><nick>}, Matrix users
 * on IRC through the relay bot ({@code <name> text}) or, after {@code !irc puppet on}, their own connection.
 * Channel links ({@code kind = channel}) and puppets ({@code kind = puppet}) are kept in the kit's store.
 */
public final class IrcBridge implements BridgeEvents, IrcConnection.Listener, AutoCloseable {
    private static final Logger LOG = System.getLogger(IrcBridge.class.getName());
    static final String PROTOCOL = "irc";
    /** What the bridge accepts as a nick in lookups: no spaces, commas, or a leading channel or colon character. */
    static final String NICK = "[^\\s#&:,][^\\s,]{0,63}";
    static final int LINK_POWER = 50;

    private final HomeserverClient client;
    private final BridgeStore store;
    private final IrcConfig config;
    private final IrcConnection relay;
    private final Map<String, IrcConnection> puppets = new ConcurrentHashMap<>();
    private final Map<String, String> roomByChannel = new ConcurrentHashMap<>();
    /** Channels (lowercase) each IRC nick (lowercase) is seen in. */
    private final Map<String, Set<String>> presence = new ConcurrentHashMap<>();
    private final Set<String> namedGhosts = ConcurrentHashMap.newKeySet();

    public IrcBridge(HomeserverClient client, BridgeStore store, IrcConfig config) {
        this.client = client;
        this.store = store;
        this.config = config;
        this.relay = new IrcConnection(config.host(), config.port(), config.botNick(), "Matrix relay (Hearth)",
                config.limiter(), this);
    }

    /** Loads links and puppets, links the config's channels, connects to IRC. */
    public IrcBridge start() {
        for (var m : store.all("channel")) {
            roomByChannel.put(m.remoteId(), m.matrixId());
            relay.join(channelName(m));
        }
        config.links().forEach((channel, room) -> link(channel, client.bot().join(room)));
        relay.start();
        for (var m : store.all("puppet")) {
            startPuppet(m.matrixId(), m.data());
        }
        return this;
    }

    public IrcConnection relay() {
        return relay;
    }

    public Optional<IrcConnection> puppet(String userId) {
        return Optional.ofNullable(puppets.get(userId));
    }

    private static String channelName(BridgeStore.Mapping m) {
        return m.data() == null ? m.remoteId() : m.data();
    }

    private static String key(String channel) {
        return channel.toLowerCase(Locale.ROOT);
    }

    public void link(String channel, String roomId) {
        store.putMapping(new BridgeStore.Mapping("channel", key(channel), roomId, channel));
        roomByChannel.put(key(channel), roomId);
        relay.join(channel);
        client.bot().ensureJoined(roomId);
    }

    public void unlink(String channel) {
        store.deleteMapping("channel", key(channel));
        roomByChannel.remove(key(channel));
        relay.part(channel, "unlinked");
    }

    public Optional<String> roomFor(String channel) {
        return Optional.ofNullable(roomByChannel.get(key(channel)));
    }

    public List<String> channelsFor(String roomId) {
        List<String> out = new ArrayList<>();
        roomByChannel.forEach((channel, room) -> {
            if (room.equals(roomId)) {
                out.add(channel);
            }
        });
        return out;
    }

    // ---- IRC to Matrix

    public String ghostUserId(String nick) {
        return "@" + config.userPrefix() + MatrixIds.escapeNick(nick) + ":" + client.serverName();
    }

    private Intent ghost(String nick) {
        Intent ghost = client.intent(ghostUserId(nick));
        ghost.ensureRegistered();
        if (namedGhosts.add(nick)) {
            ghost.setDisplayName(nick);
        }
        return ghost;
    }

    /** Our own nicks (relay and puppets): their lines came from Matrix and are not relayed back. */
    private boolean ours(String nick) {
        if (nick.equalsIgnoreCase(relay.nick())) {
            return true;
        }
        for (IrcConnection p : puppets.values()) {
            if (nick.equalsIgnoreCase(p.nick())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onMessage(IrcConnection connection, IrcMessage m) {
        if (connection != relay) {
            return;   // the relay sees every linked channel; puppets only speak
        }
        String nick = m.nick();
        switch (m.command()) {
            case "PRIVMSG", "NOTICE" -> roomFor(m.param(0)).ifPresent(room -> {
                if (!ours(nick)) {
                    message(nick, room, m.command(), m.param(1));
                }
            });
            case "JOIN" -> roomFor(m.param(0)).ifPresent(room -> {
                if (!ours(nick)) {
                    present(nick, m.param(0));
                    ghost(nick).ensureJoined(room);
                }
            });
            case "PART" -> roomFor(m.param(0)).ifPresent(room -> {
                if (!ours(nick)) {
                    absent(nick, m.param(0));
                    ghost(nick).leave(room);
                }
            });
            case "QUIT" -> {
                Set<String> channels = presence.remove(key(nick));
                if (channels != null && !ours(nick)) {
                    for (String channel : channels) {
                        roomFor(channel).ifPresent(room -> ghost(nick).leave(room));
                    }
                }
            }
            case "KICK" -> roomFor(m.param(0)).ifPresent(room -> kicked(room, m.param(0), nick, m.param(1), m.param(2)));
            case "NICK" -> renamed(nick, m.param(0));
            case "TOPIC" -> roomFor(m.param(0)).ifPresent(room -> {
                if (!ours(nick)) {
                    topic(nick, room, m.param(1));
                }
            });
            // RPL_TOPIC, answered when the relay joins a channel: a linked room starts with the channel's topic.
            case "332" -> roomFor(m.param(1)).ifPresent(room -> channelTopic(room, m.param(2)));
            case "353" -> roomFor(m.param(2)).ifPresent(room -> {
                for (String member : m.param(3).split(" ")) {
                    String n = member.replaceFirst("^[~&@%+]+", "");
                    if (!n.isEmpty() && !ours(n)) {
                        present(n, m.param(2));
                        ghost(n).ensureJoined(room);
                    }
                }
            });
            default -> { }
        }
    }

    private void present(String nick, String channel) {
        presence.computeIfAbsent(key(nick), k -> ConcurrentHashMap.newKeySet()).add(key(channel));
    }

    private void absent(String nick, String channel) {
        Set<String> channels = presence.get(key(nick));
        if (channels != null) {
            channels.remove(key(channel));
        }
    }

    private void message(String nick, String room, String command, String text) {
        String msgtype = "NOTICE".equals(command) ? "m.notice" : "m.text";
        if (text.startsWith("\u0001")) {
            String ctcp = text.replace("\u0001", "");
            if (!ctcp.startsWith("ACTION ")) {
                return;   // other CTCP (VERSION, PING...) is for clients, not the room
            }
            msgtype = "m.emote";
            text = ctcp.substring(7);
        }
        IrcFormatting.Matrix formatted = IrcFormatting.toMatrix(text);
        JsonObjectBuilder content = Json.createObjectBuilder().add("msgtype", msgtype).add("body", formatted.body());
        if (formatted.html() != null) {
            content.add("format", "org.matrix.custom.html").add("formatted_body", formatted.html());
        }
        Intent ghost = ghost(nick);
        ghost.ensureJoined(room);
        ghost.sendMessage(room, content.build());
    }

    private void kicked(String room, String channel, String kicker, String target, String reason) {
        if (target.equalsIgnoreCase(relay.nick())) {
            relay.send(IrcMessage.of("JOIN", channel));
            return;
        }
        absent(target, channel);
        if (!ours(target)) {
            ghost(target).leave(room);
        }
        client.bot().sendNotice(room, target + " was kicked from " + channel + " by " + kicker
                + (reason.isEmpty() ? "" : " (" + reason + ")"));
    }

    private void renamed(String from, String to) {
        Set<String> channels = presence.remove(key(from));
        if (channels == null || ours(to)) {
            return;
        }
        presence.put(key(to), channels);
        for (String channel : channels) {
            roomFor(channel).ifPresent(room -> {
                ghost(from).leave(room);
                ghost(to).ensureJoined(room);
            });
        }
    }

    /** The topic set by the IRC user's ghost, else the bot; a notice when neither has the power. */
    private void channelTopic(String room, String topic) {
        try {
            boolean same = client.bot().state(room, "m.room.topic", "")
                    .map(c -> topic.equals(c.getString("topic", ""))).orElse(false);
            if (!same && !topic.isEmpty()) {
                client.bot().sendState(room, "m.room.topic", "", Json.createObjectBuilder().add("topic", topic).build());
            }
        } catch (MatrixException e) {
            LOG.log(Level.INFO, "could not mirror the topic of " + room + ": " + e.getMessage());
        }
    }

    private void topic(String nick, String room, String topic) {
        JsonObject content = Json.createObjectBuilder().add("topic", topic).build();
        try {
            ghost(nick).sendState(room, "m.room.topic", "", content);
        } catch (MatrixException e) {
            try {
                client.bot().sendState(room, "m.room.topic", "", content);
            } catch (MatrixException again) {
                client.bot().sendNotice(room, nick + " set the IRC topic to: " + topic);
            }
        }
    }

    // ---- Matrix to IRC

    private boolean fromBridge(String sender) {
        return sender.equals(client.botUserId()) || sender.startsWith("@" + config.userPrefix())
                && sender.endsWith(":" + client.serverName());
    }

    @Override
    public void onEvent(JsonObject event) {
        String sender = event.getString("sender", "");
        String room = event.getString("room_id", "");
        String type = event.getString("type", "");
        JsonObject content = event.get("content") instanceof JsonObject c ? c : JsonValue.EMPTY_JSON_OBJECT;
        if ("m.room.member".equals(type) && client.botUserId().equals(event.getString("state_key", ""))
                && "invite".equals(content.getString("membership", ""))) {
            client.bot().join(room);
            return;
        }
        if (fromBridge(sender)) {
            return;
        }
        switch (type) {
            case "m.room.message" -> {
                if (content.getString("body", "").startsWith("!irc")) {
                    command(room, sender, content.getString("body"));
                } else {
                    for (String channel : channelsFor(room)) {
                        toIrc(room, channel, sender, event, content);
                    }
                }
            }
            case "m.room.topic" -> {
                for (String channel : channelsFor(room)) {
                    connectionOf(sender, channel).send(IrcMessage.of("TOPIC", channel, content.getString("topic", "")));
                }
            }
            case "m.room.member" -> member(room, sender, event, content);
            default -> { }
        }
    }

    /** The sender's puppet (joined to the channel) or the relay bot. */
    private IrcConnection connectionOf(String sender, String channel) {
        IrcConnection puppet = puppets.get(sender);
        if (puppet == null) {
            return relay;
        }
        puppet.join(channel);
        return puppet;
    }

    private void toIrc(String room, String channel, String sender, JsonObject event, JsonObject content) {
        JsonObject relation = content.get("m.relates_to") instanceof JsonObject r ? r : JsonValue.EMPTY_JSON_OBJECT;
        boolean edit = "m.replace".equals(relation.getString("rel_type", "")) && content.get("m.new_content") instanceof JsonObject;
        JsonObject shown = edit ? content.getJsonObject("m.new_content") : content;
        String msgtype = shown.getString("msgtype", "m.text");
        String text = text(shown);
        if (edit) {
            text = "* " + text;
        }
        if (shown.containsKey("url") && shown.get("url") instanceof jakarta.json.JsonString url) {
            text = text + " " + downloadUrl(url.getString());
        }
        List<String> lines = new ArrayList<>();
        if (!edit && relation.get("m.in_reply_to") instanceof JsonObject reply) {
            quote(room, reply.getString("event_id", "")).ifPresent(lines::add);
        }
        lines.add(text);
        IrcConnection connection = connectionOf(sender, channel);
        boolean puppet = connection != relay;
        String name = puppet ? "" : displayName(room, sender);
        String command = "m.notice".equals(msgtype) ? "NOTICE" : "PRIVMSG";
        String lead = puppet ? "" : "m.emote".equals(msgtype) ? "* " + name + " " : "<" + name + "> ";
        boolean action = puppet && "m.emote".equals(msgtype);
        int room_ = IrcText.room(connection.nick(), command, channel) - IrcText.utf8Length(lead) - (action ? 9 : 0);
        for (String part : lines) {
            for (String line : IrcText.split(part, room_)) {
                String payload = action ? "\u0001ACTION " + line + "\u0001" : lead + line;
                connection.send(IrcMessage.of(command, channel, payload));
            }
        }
    }

    /** The text to send: the HTML turned into IRC codes when there is HTML, else the body without reply fallback. */
    static String text(JsonObject content) {
        if ("org.matrix.custom.html".equals(content.getString("format", "")) && content.get("formatted_body") instanceof jakarta.json.JsonString html) {
            return IrcFormatting.toIrc(html.getString());
        }
        return stripReplyFallback(content.getString("body", ""));
    }

    /** Drops the {@code > <@user> quoted} lines a reply's body starts with (spec "Fallbacks for rich replies"). */
    static String stripReplyFallback(String body) {
        if (!body.startsWith("> ")) {
            return body;
        }
        String[] lines = body.split("\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].startsWith(">")) {
            i++;
        }
        return String.join("\n", java.util.Arrays.copyOfRange(lines, i, lines.length)).strip();
    }

    private Optional<String> quote(String room, String eventId) {
        try {
            JsonObject original = client.call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/event/" + enc(eventId), null, null);
            JsonObject c = original.get("content") instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
            String sender = original.getString("sender", "");
            String who = displayName(room, sender);
            String first = stripReplyFallback(c.getString("body", "")).split("\n", 2)[0];
            if (first.length() > 80) {
                first = first.substring(0, 80) + "...";
            }
            return Optional.of("> <" + who + "> " + first);
        } catch (MatrixException e) {
            return Optional.empty();
        }
    }

    private String downloadUrl(String mxc) {
        if (!mxc.startsWith("mxc://")) {
            return mxc;
        }
        return config.publicMediaUrl() + "/_matrix/media/v3/download/" + mxc.substring(6);
    }

    private String displayName(String room, String userId) {
        try {
            Optional<JsonObject> member = client.bot().state(room, "m.room.member", userId);
            String name = member.map(m -> m.getString("displayname", "")).orElse("");
            if (!name.isBlank()) {
                return name;
            }
        } catch (MatrixException e) {
            // the bot may not see the member list; the localpart is the fallback
        }
        return userId.substring(1, userId.indexOf(':'));
    }

    private void member(String room, String sender, JsonObject event, JsonObject content) {
        String target = event.getString("state_key", "");
        String membership = content.getString("membership", "");
        JsonObject unsigned = event.get("unsigned") instanceof JsonObject u ? u : JsonValue.EMPTY_JSON_OBJECT;
        JsonObject prev = unsigned.get("prev_content") instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT;
        String before = prev.getString("membership", "");
        for (String channel : channelsFor(room)) {
            if (fromBridge(target) && !target.equals(client.botUserId()) && "leave".equals(membership) && !sender.equals(target)) {
                // A Matrix user kicked an IRC user's ghost: the relay bot kicks the nick (it needs channel op).
                String nick = target.substring(1 + config.userPrefix().length(), target.indexOf(':'));
                relay.send(IrcMessage.of("KICK", channel, nick, content.getString("reason", "kicked from Matrix")));
                continue;
            }
            if (fromBridge(target)) {
                continue;
            }
            IrcConnection puppet = puppets.get(target);
            String name = content.getString("displayname", target.substring(1, target.indexOf(':')));
            if ("join".equals(membership) && "join".equals(before)) {
                if (puppet != null && !name.equals(prev.getString("displayname", name))) {
                    puppet.send(IrcMessage.of("NICK", MatrixIds.nickFor(name, target)));
                }
            } else if ("join".equals(membership)) {
                if (puppet != null) {
                    puppet.join(channel);
                } else {
                    relay.send(IrcMessage.of("NOTICE", channel, "* " + name + " joined the Matrix room"));
                }
            } else if ("leave".equals(membership) || "ban".equals(membership)) {
                if (puppet != null) {
                    puppet.part(channel, "left the Matrix room");
                } else {
                    relay.send(IrcMessage.of("NOTICE", channel, "* " + prev.getString("displayname", name) + " left the Matrix room"));
                }
            }
        }
    }

    // ---- commands: !irc link #channel | unlink #channel | puppet on | puppet off

    private void command(String room, String sender, String body) {
        String[] words = body.strip().split("\\s+");
        String verb = words.length > 1 ? words[1].toLowerCase(Locale.ROOT) : "";
        Intent bot = client.bot();
        switch (verb) {
            case "link", "unlink" -> {
                if (words.length != 3 || !MatrixIds.validChannel(words[2])) {
                    bot.sendNotice(room, "usage: !irc " + verb + " #channel");
                } else if (power(room, sender) < LINK_POWER) {
                    bot.sendNotice(room, "Only room members with power level " + LINK_POWER + " or more may " + verb + " channels.");
                } else if ("link".equals(verb)) {
                    Optional<String> other = roomFor(words[2]).filter(r -> !r.equals(room));
                    if (other.isPresent()) {
                        bot.sendNotice(room, words[2] + " is already linked to another room.");
                    } else {
                        link(words[2], room);
                        bot.sendNotice(room, "Linked to " + words[2] + " on " + config.networkId() + ".");
                    }
                } else {
                    unlink(words[2]);
                    bot.sendNotice(room, "Unlinked " + words[2] + ".");
                }
            }
            case "puppet" -> {
                String mode = words.length > 2 ? words[2].toLowerCase(Locale.ROOT) : "";
                if ("on".equals(mode)) {
                    String nick = MatrixIds.nickFor(displayName(room, sender), sender);
                    store.putMapping(new BridgeStore.Mapping("puppet", sender, sender, nick));
                    IrcConnection puppet = startPuppet(sender, nick);
                    channelsFor(room).forEach(puppet::join);
                    bot.sendNotice(room, "You now appear on IRC as yourself (asking for the nick " + nick + ").");
                } else if ("off".equals(mode)) {
                    store.deleteMapping("puppet", sender);
                    IrcConnection puppet = puppets.remove(sender);
                    if (puppet != null) {
                        puppet.close();
                    }
                    bot.sendNotice(room, "Your messages go through the relay bot again.");
                } else {
                    bot.sendNotice(room, "usage: !irc puppet on|off");
                }
            }
            default -> bot.sendNotice(room, "commands: !irc link #channel, !irc unlink #channel, !irc puppet on|off");
        }
    }

    private IrcConnection startPuppet(String userId, String nick) {
        return puppets.computeIfAbsent(userId, u -> new IrcConnection(config.host(), config.port(), nick,
                userId + " via Matrix", config.limiter(), this).start());
    }

    private long power(String room, String userId) {
        if (creator(room, userId)) {
            return Long.MAX_VALUE;
        }
        Optional<JsonObject> levels = client.bot().state(room, "m.room.power_levels", "");
        if (levels.isEmpty()) {
            return 0;
        }
        JsonObject users = levels.get().get("users") instanceof JsonObject u ? u : JsonValue.EMPTY_JSON_OBJECT;
        if (users.get(userId) instanceof jakarta.json.JsonNumber n) {
            return n.longValue();
        }
        return levels.get().get("users_default") instanceof jakarta.json.JsonNumber d ? d.longValue() : 0;
    }

    /**
     * Room version 12 creators have unlimited power and are not listed in m.room.power_levels. Their room ID is the
     * create event's reference hash ({@code !hash}, no server name), so the create event is {@code $hash}.
     */
    private boolean creator(String room, String userId) {
        if (room.contains(":")) {
            return false;
        }
        try {
            JsonObject create = client.call("GET", "/_matrix/client/v3/rooms/" + enc(room) + "/event/" + enc("$" + room.substring(1)), null, null);
            if (userId.equals(create.getString("sender", ""))) {
                return true;
            }
            JsonObject content = create.get("content") instanceof JsonObject c ? c : JsonValue.EMPTY_JSON_OBJECT;
            return content.get("additional_creators") instanceof JsonArray extra
                    && extra.stream().anyMatch(v -> v instanceof jakarta.json.JsonString s && s.getString().equals(userId));
        } catch (MatrixException e) {
            return false;
        }
    }

    // ---- third-party lookups and portal aliases

    @Override
    public Optional<JsonObject> thirdPartyProtocol(String protocol) {
        if (!PROTOCOL.equals(protocol)) {
            return Optional.empty();
        }
        return Optional.of(Json.createObjectBuilder()
                .add("user_fields", Json.createArrayBuilder().add("nick"))
                .add("location_fields", Json.createArrayBuilder().add("channel"))
                .add("icon", "")
                .add("field_types", Json.createObjectBuilder()
                        .add("nick", Json.createObjectBuilder().add("regexp", "[^\\s#&:,][^\\s,]*").add("placeholder", "alice"))
                        .add("channel", Json.createObjectBuilder().add("regexp", "[#&][^\\s,:]{1,49}").add("placeholder", "#hearth")))
                .add("instances", Json.createArrayBuilder().add(Json.createObjectBuilder()
                        .add("network_id", config.networkId()).add("desc", "IRC network " + config.networkId())
                        .add("fields", JsonValue.EMPTY_JSON_OBJECT)))
                .build());
    }

    @Override
    public JsonArray thirdPartyLocations(String protocol, Map<String, String> fields) {
        String channel = fields.get("channel");
        if (!MatrixIds.validChannel(channel)) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        return Json.createArrayBuilder().add(Json.createObjectBuilder().add("alias", portalAlias(channel))
                .add("protocol", PROTOCOL).add("fields", Json.createObjectBuilder().add("channel", channel))).build();
    }

    @Override
    public JsonArray thirdPartyUsers(String protocol, Map<String, String> fields) {
        String nick = fields.get("nick");
        if (nick == null || !nick.matches(NICK)) {
            return JsonValue.EMPTY_JSON_ARRAY;
        }
        return Json.createArrayBuilder().add(Json.createObjectBuilder().add("userid", ghostUserId(nick))
                .add("protocol", PROTOCOL).add("fields", Json.createObjectBuilder().add("nick", nick))).build();
    }

    @Override
    public JsonArray thirdPartyLocationsOf(String alias) {
        return channelOfPortal(alias).map(channel -> thirdPartyLocations(PROTOCOL, Map.of("channel", channel)))
                .orElse(JsonValue.EMPTY_JSON_ARRAY);
    }

    @Override
    public JsonArray thirdPartyUsersOf(String userId) {
        return nickOfGhost(userId).map(nick -> thirdPartyUsers(PROTOCOL, Map.of("nick", nick)))
                .orElse(JsonValue.EMPTY_JSON_ARRAY);
    }

    /** The channel a portal alias names ({@link #portalAlias}), if it is one. */
    Optional<String> channelOfPortal(String alias) {
        String prefix = "#" + config.userPrefix();
        String suffix = ":" + client.serverName();
        if (alias == null || !alias.startsWith(prefix) || !alias.endsWith(suffix)
                || alias.length() <= prefix.length() + suffix.length()) {
            return Optional.empty();
        }
        String channel = "#" + alias.substring(prefix.length(), alias.length() - suffix.length());
        return MatrixIds.validChannel(channel) ? Optional.of(channel) : Optional.empty();
    }

    /** The (lowercased) nick an IRC user's virtual Matrix user stands for, if the ID is one of ours. */
    Optional<String> nickOfGhost(String userId) {
        String prefix = "@" + config.userPrefix();
        String suffix = ":" + client.serverName();
        if (userId == null || !userId.startsWith(prefix) || !userId.endsWith(suffix)
                || userId.length() <= prefix.length() + suffix.length()) {
            return Optional.empty();
        }
        return MatrixIds.unescapeNick(userId.substring(prefix.length(), userId.length() - suffix.length()))
                .filter(nick -> nick.matches(NICK));
    }

    /** {@code #<prefix><channel without #>:server}: joining it makes the bridge create a room linked to the channel. */
    public String portalAlias(String channel) {
        return "#" + config.userPrefix() + channel.substring(1).toLowerCase(Locale.ROOT) + ":" + client.serverName();
    }

    @Override
    public boolean queryAlias(String alias) {
        Optional<String> portal = channelOfPortal(alias);
        if (portal.isEmpty()) {
            return false;
        }
        String channel = portal.get();
        String name = channel.substring(1);
        String room = client.bot().createRoom(Json.createObjectBuilder().add("preset", "public_chat")
                .add("visibility", "private").add("room_alias_name", config.userPrefix() + name)
                .add("name", channel).build());
        link(channel, room);
        return true;
    }

    /**
     * A virtual user of a nick the bridge has not seen yet (a Matrix user invites {@code @irc_bob:server}): registered
     * with the nick as display name, so the invite can go ahead; whether the nick is online is IRC's business.
     */
    @Override
    public boolean queryUser(String userId) {
        Optional<String> nick = nickOfGhost(userId);
        if (nick.isEmpty() || !ghostUserId(nick.get()).equals(userId)) {
            return false;
        }
        ghost(nick.get());
        return true;
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public void close() {
        puppets.values().forEach(IrcConnection::close);
        relay.close();
    }
}
