package org.hearth.plugins.stories;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginDatabase;
import org.hearth.plugin.api.ReadReceipt;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * The stories of this server: one read-only room per author (room type {@value #ROOM_TYPE}, {@code m.federate:
 * false}), its audience, the stories posted in it with their expiry, views counted from read receipts, mutes,
 * highlights and replies. Every extension of the plugin works through one of these.
 */
final class Stories {
    static final String ROOM_TYPE = "org.hearth.stories";
    static final long DAY_MS = 86_400_000L;
    static final Set<String> AUDIENCES = Set.of("contacts", "selected", "everyone");
    static final Set<String> MSGTYPES = Set.of("m.text", "m.image", "m.video");

    private final Homeserver homeserver;
    private final PluginDatabase db;

    Stories(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.db = homeserver.database();
    }

    Homeserver homeserver() {
        return homeserver;
    }

    /** The bot, registered on first use (a password hash: not on a route's path). */
    String bot() {
        return homeserver.botUser("stories");
    }

    String botId() {
        return "@stories:" + homeserver.serverName();
    }

    long lifetimeMs() {
        return Long.parseLong(homeserver.config().getString("lifetime_ms", Long.toString(DAY_MS)));
    }

    boolean local(String user) {
        return user.endsWith(":" + homeserver.serverName());
    }

    /** An author's room, if any. */
    Optional<Map<String, Object>> roomOf(String author) {
        return db.query("SELECT room_id, audience, selected FROM plugin_stories_rooms WHERE author = ?", author)
                .stream().findFirst();
    }

    Optional<String> authorOf(String roomId) {
        return db.query("SELECT author FROM plugin_stories_rooms WHERE room_id = ?", roomId).stream()
                .map(r -> (String) r.get("author")).findFirst();
    }

    /** The author's story room, created (with the audience "contacts") when missing. */
    String ensureRoom(String author) {
        var existing = roomOf(author);
        if (existing.isPresent()) {
            return (String) existing.get().get("room_id");
        }
        if (!local(author)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Only users of this server have a story room");
        }
        String name = homeserver.profile(author).map(p -> p.getString("displayname", author)).orElse(author);
        JsonObject request = Json.objectBuilder()
                .add("preset", "private_chat")
                .add("name", "Stories of " + name)
                .add("topic", "Stories, kept 24 hours. Only the author posts; viewers do not see each other.")
                .add("creation_content", Json.objectBuilder().add("type", ROOM_TYPE).add("m.federate", false))
                .add("power_level_content_override", Json.objectBuilder()
                        // The author created the room: in room version 12 creators outrank every level.
                        .add("users_default", 0).add("events_default", 100).add("state_default", 100)
                        .add("invite", 100).add("kick", 100).add("ban", 100).add("redact", 100))
                .add("initial_state", Json.arrayBuilder().add(Json.objectBuilder().add("type", "m.room.retention")
                        .add("state_key", "").add("content", Json.objectBuilder().add("max_lifetime", lifetimeMs()))))
                .build();
        String room = homeserver.createRoom(author, request);
        int inserted = db.update("INSERT IGNORE INTO plugin_stories_rooms (author, room_id, audience, selected) "
                + "VALUES (?, ?, 'contacts', '[]')", author, room);
        if (inserted == 0) {
            // Created twice at once: keep the first; the spare room stays empty.
            return (String) roomOf(author).orElseThrow().get("room_id");
        }
        requestReconcile(author);
        return room;
    }

    /** Checks an audience request before anything is stored. */
    static List<String> parseAudience(JsonObject body) {
        if (!(body.get("audience") instanceof JsonString audience) || !AUDIENCES.contains(audience.getString())) {
            throw new MatrixException(ErrorCode.BAD_JSON, "audience must be one of contacts, selected, everyone");
        }
        List<String> users = new ArrayList<>();
        JsonValue raw = body.get("users");
        if (raw != null && !(raw instanceof JsonArray)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "users must be an array of user IDs");
        }
        if (raw instanceof JsonArray array) {
            for (JsonValue v : array) {
                if (!(v instanceof JsonString s) || !s.getString().matches("@[^:\\s]+:[^\\s]+")) {
                    throw new MatrixException(ErrorCode.INVALID_PARAM, "users must hold user IDs");
                }
                users.add(s.getString());
            }
        }
        if (audience.getString().equals("selected") && users.isEmpty()) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "a selected audience names its users");
        }
        if (users.size() > 1000) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "at most 1000 selected users");
        }
        return users;
    }

    void setAudience(String author, String audience, List<String> users) {
        ensureRoom(author);
        var selected = Json.arrayBuilder();
        users.forEach(selected::add);
        db.update("UPDATE plugin_stories_rooms SET audience = ?, selected = ? WHERE author = ?", audience,
                selected.build().toString(), author);
        requestReconcile(author);
    }

    /** The users the author's audience names now (the author excluded), local and remote. */
    Set<String> audience(String author) {
        var room = roomOf(author).orElseThrow();
        Set<String> out = new LinkedHashSet<>();
        switch ((String) room.get("audience")) {
            case "selected" -> Json.parse((String) room.get("selected")).asJsonArray()
                    .forEach(v -> out.add(((JsonString) v).getString()));
            case "everyone" -> {
                String after = "";
                while (true) {
                    List<String> page = homeserver.localUsers(after, 500);
                    out.addAll(page);
                    if (page.size() < 500) {
                        break;
                    }
                    after = page.getLast();
                }
            }
            default -> out.addAll(contacts(author));
        }
        out.remove(author);
        out.remove(botId());
        return out;
    }

    /** Users sharing a DM with the author: {@code m.direct} entries with a room both are in. */
    Set<String> contacts(String author) {
        Set<String> out = new LinkedHashSet<>();
        JsonObject direct = homeserver.accountData(author, "m.direct").orElse(JsonValue.EMPTY_JSON_OBJECT);
        for (var entry : direct.entrySet()) {
            if (!(entry.getValue() instanceof JsonArray rooms)) {
                continue;
            }
            for (JsonValue v : rooms) {
                if (v instanceof JsonString room && homeserver.roomExists(room.getString())
                        && homeserver.membership(room.getString(), author).filter("join"::equals).isPresent()
                        && homeserver.membership(room.getString(), entry.getKey())
                        .filter(m -> m.equals("join") || m.equals("invite")).isPresent()) {
                    out.add(entry.getKey());
                    break;
                }
            }
        }
        return out;
    }

    /** Invites and removals happen on the audience task, a few at a time, so no call overruns its budget. */
    void requestReconcile(String author) {
        homeserver.store().put("reconcile:" + author, Json.objectBuilder().build());
    }

    boolean audiencePending(String author) {
        return homeserver.store().get("reconcile:" + author).isPresent();
    }

    /** Works through pending audience changes, at most {@code max} membership changes in all. */
    void reconcilePending(int max) {
        int left = max;
        for (String key : homeserver.store().list("reconcile:", 20).keySet()) {
            String author = key.substring("reconcile:".length());
            if (roomOf(author).isEmpty()) {
                homeserver.store().delete(key);
                continue;
            }
            int done = reconcile(author, left);
            left -= done;
            if (left <= 0) {
                return; // maybe more to do for this author: the key stays
            }
            homeserver.store().delete(key);
        }
    }

    /**
     * Brings the room's members in line with the audience: invites local members of the audience who are not in
     * the room and never declined, removes those no longer in it; at most {@code max} changes. Returns how many
     * it made.
     */
    int reconcile(String author, int max) {
        int changes = 0;
        String room = (String) roomOf(author).orElseThrow().get("room_id");
        Set<String> audience = audience(author);
        Set<String> declined = new java.util.HashSet<>();
        db.query("SELECT user_id FROM plugin_stories_declined WHERE author = ?", author)
                .forEach(r -> declined.add((String) r.get("user_id")));
        for (String user : audience) {
            if (!local(user) || declined.contains(user)) {
                continue;
            }
            Optional<String> membership = homeserver.membership(room, user);
            if (membership.isEmpty() || membership.get().equals("leave")) {
                if (changes >= max) {
                    return changes;
                }
                changes++;
                try {
                    homeserver.invite(room, author, user);
                } catch (MatrixException e) {
                    // an unknown or deactivated user: nothing to invite
                }
            }
        }
        for (String member : homeserver.joinedMembers(room)) {
            if (!member.equals(author) && !audience.contains(member)) {
                if (changes >= max) {
                    return changes;
                }
                changes++;
                homeserver.sendState(room, author, "m.room.member", member,
                        Json.objectBuilder().add("membership", "leave").add("reason", "no longer in the audience").build());
            }
        }
        return changes;
    }

    /** Checks a story's content before anything is stored. */
    static JsonObject parseStory(JsonObject body) {
        if (!(body.get("msgtype") instanceof JsonString msgtype) || !MSGTYPES.contains(msgtype.getString())) {
            throw new MatrixException(ErrorCode.BAD_JSON, "msgtype must be m.text, m.image or m.video");
        }
        if (!(body.get("body") instanceof JsonString text) || text.getString().isBlank() || text.getString().length() > 4000) {
            throw new MatrixException(ErrorCode.BAD_JSON, "body must be a non-empty string of at most 4000 characters");
        }
        if (!msgtype.getString().equals("m.text")
                && !(body.get("url") instanceof JsonString url && url.getString().startsWith("mxc://"))) {
            throw new MatrixException(ErrorCode.BAD_JSON, "an image or video story needs an mxc:// url");
        }
        return body;
    }

    /** Posts a story as the author; returns its event ID. */
    String post(String author, JsonObject content) {
        String room = ensureRoom(author);
        String eventId = homeserver.sendEvent(room, author, "m.room.message", content);
        record(eventId, room, author, 0, content);
        return eventId;
    }

    /** Records a story once (the observer and the route may both see it); the position is filled by the observer. */
    void record(String eventId, String room, String author, long position, JsonObject content) {
        long now = System.currentTimeMillis();
        db.update("INSERT IGNORE INTO plugin_stories_stories (event_id, room_id, author, position, posted_ts, expires_ts, "
                + "content) VALUES (?, ?, ?, ?, ?, ?, ?)", eventId, room, author, position, now, now + lifetimeMs(),
                content.toString());
        if (position > 0) {
            db.update("UPDATE plugin_stories_stories SET position = ? WHERE event_id = ? AND position = 0", position, eventId);
        }
    }

    void recordPosition(String eventId, String room, long position) {
        db.update("INSERT IGNORE INTO plugin_stories_events (event_id, room_id, position) VALUES (?, ?, ?)",
                eventId, room, position);
    }

    void declined(String author, String user) {
        db.update("INSERT IGNORE INTO plugin_stories_declined (author, user_id) VALUES (?, ?)", author, user);
    }

    /** A story by its event ID; 404 when unknown. */
    Map<String, Object> story(String eventId) {
        return db.query("SELECT event_id, room_id, author, position, posted_ts, expires_ts, content, highlight, expired "
                + "FROM plugin_stories_stories WHERE event_id = ?", eventId).stream().findFirst()
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No story " + eventId));
    }

    /** A story of the caller's own; 403 for another author's. */
    Map<String, Object> ownStory(String user, String eventId) {
        Map<String, Object> story = story(eventId);
        if (!story.get("author").equals(user)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Only the author sees this");
        }
        return story;
    }

    /** Distinct viewers: users other than the author whose read receipt is on the story or a later event. */
    int views(Map<String, Object> story) {
        String room = (String) story.get("room_id");
        long position = ((Number) story.get("position")).longValue();
        Map<String, Long> positions = new HashMap<>();
        db.query("SELECT event_id, position FROM plugin_stories_events WHERE room_id = ?", room)
                .forEach(r -> positions.put((String) r.get("event_id"), ((Number) r.get("position")).longValue()));
        Set<String> viewers = new java.util.HashSet<>();
        for (ReadReceipt receipt : homeserver.readReceipts(room)) {
            Long read = positions.get(receipt.eventId());
            if (!receipt.user().equals(story.get("author")) && read != null && position > 0 && read >= position) {
                viewers.add(receipt.user());
            }
        }
        return viewers.size();
    }

    /** The author's stories still live or highlighted, newest first. */
    List<Map<String, Object>> storiesOf(String author) {
        return db.query("SELECT event_id, room_id, author, position, posted_ts, expires_ts, content, highlight, expired "
                + "FROM plugin_stories_stories WHERE author = ? AND (expired = FALSE OR highlight = TRUE) "
                + "ORDER BY posted_ts DESC, event_id LIMIT 200", author);
    }

    JsonObject json(Map<String, Object> story, boolean withViews) {
        var out = Json.objectBuilder().add("event_id", (String) story.get("event_id"))
                .add("room_id", (String) story.get("room_id")).add("author", (String) story.get("author"))
                .add("posted_ts", ((Number) story.get("posted_ts")).longValue())
                .add("expires_ts", ((Number) story.get("expires_ts")).longValue())
                .add("highlight", truthy(story.get("highlight")))
                .add("content", Json.parse((String) story.get("content")));
        if (withViews) {
            out.add("views", views(story));
        }
        return out.build();
    }

    static boolean truthy(Object value) {
        return value instanceof Boolean b ? b : value instanceof Number n && n.intValue() != 0;
    }

    void setHighlight(String author, String eventId, boolean on) {
        ownStory(author, eventId);
        db.update("UPDATE plugin_stories_stories SET highlight = ? WHERE event_id = ?", on, eventId);
    }

    /** Authors whose stories the user sees: joined to their room, not muted. Newest first. */
    List<Map<String, Object>> feed(String user) {
        Set<String> muted = muted(user);
        List<Map<String, Object>> out = new ArrayList<>();
        for (var room : db.query("SELECT author, room_id FROM plugin_stories_rooms")) {
            String author = (String) room.get("author");
            if (author.equals(user) || muted.contains(author)
                    || homeserver.membership((String) room.get("room_id"), user).filter("join"::equals).isEmpty()) {
                continue;
            }
            out.addAll(storiesOf(author));
        }
        out.sort((a, b) -> Long.compare(((Number) b.get("posted_ts")).longValue(), ((Number) a.get("posted_ts")).longValue()));
        return out;
    }

    Set<String> muted(String user) {
        Set<String> out = new java.util.HashSet<>();
        db.query("SELECT author FROM plugin_stories_mutes WHERE user_id = ?", user).forEach(r -> out.add((String) r.get("author")));
        return out;
    }

    void mute(String user, String author, boolean on) {
        if (!author.matches("@[^:\\s]+:[^\\s]+")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Not a user ID: " + author);
        }
        if (on) {
            db.update("INSERT IGNORE INTO plugin_stories_mutes (user_id, author) VALUES (?, ?)", user, author);
        } else {
            db.update("DELETE FROM plugin_stories_mutes WHERE user_id = ? AND author = ?", user, author);
        }
    }

    /**
     * Replies to a story in the DM between the viewer and the author (created when missing), quoting the story;
     * returns the DM's room ID and the reply's event ID.
     */
    JsonObject reply(String viewer, String eventId, String text) {
        Map<String, Object> story = story(eventId);
        String author = (String) story.get("author");
        if (author.equals(viewer)
                || homeserver.membership((String) story.get("room_id"), viewer).filter("join"::equals).isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You can reply only to stories you can see");
        }
        JsonObject content = Json.parse((String) story.get("content")).asJsonObject();
        String quoted = content.getString("body", "");
        String dm = directRoom(viewer, author);
        JsonObject reply = Json.objectBuilder()
                .add("msgtype", "m.text")
                .add("body", "> Story of " + author + ": " + quoted.replace("\n", "\n> ") + "\n\n" + text)
                .add("format", "org.matrix.custom.html")
                .add("formatted_body", "<blockquote>Story of " + escape(author) + ": " + escape(quoted)
                        + "</blockquote>" + escape(text))
                .add("org.hearth.stories.reply_to", Json.objectBuilder().add("room_id", (String) story.get("room_id"))
                        .add("event_id", eventId))
                .build();
        String sent = homeserver.sendEvent(dm, viewer, "m.room.message", reply);
        return Json.objectBuilder().add("room_id", dm).add("event_id", sent).build();
    }

    /** A DM of {@code user} with {@code other} from the user's {@code m.direct}, else a new one (added there). */
    String directRoom(String user, String other) {
        JsonObject direct = homeserver.accountData(user, "m.direct").orElse(JsonValue.EMPTY_JSON_OBJECT);
        if (direct.get(other) instanceof JsonArray rooms) {
            for (JsonValue v : rooms) {
                if (v instanceof JsonString room && homeserver.roomExists(room.getString())
                        && homeserver.membership(room.getString(), user).filter("join"::equals).isPresent()
                        && homeserver.membership(room.getString(), other)
                        .filter(m -> m.equals("join") || m.equals("invite")).isPresent()) {
                    return room.getString();
                }
            }
        }
        String room = homeserver.createRoom(user, Json.objectBuilder().add("preset", "trusted_private_chat")
                .add("is_direct", true).add("invite", Json.arrayBuilder().add(other)).build());
        var rooms = Json.arrayBuilder();
        if (direct.get(other) instanceof JsonArray old) {
            old.forEach(rooms::add);
        }
        rooms.add(room);
        homeserver.setAccountData(user, "m.direct", Json.objectBuilder(direct).add(other, rooms).build());
        return room;
    }

    /** Sends a new story to the remote members of the author's audience, through existing DMs. */
    void deliverRemote(String author, String eventId, JsonObject content) {
        JsonObject direct = homeserver.accountData(author, "m.direct").orElse(JsonValue.EMPTY_JSON_OBJECT);
        for (String user : audience(author)) {
            if (local(user) || !(direct.get(user) instanceof JsonArray rooms)) {
                continue;
            }
            for (JsonValue v : rooms) {
                if (v instanceof JsonString room && homeserver.roomExists(room.getString())
                        && homeserver.membership(room.getString(), author).filter("join"::equals).isPresent()) {
                    var copy = Json.objectBuilder(content)
                            .add("body", "Story: " + content.getString("body", ""))
                            .add("org.hearth.stories.story", Json.objectBuilder().add("event_id", eventId));
                    homeserver.sendEvent(room.getString(), author, "m.room.message", copy.build());
                    break;
                }
            }
        }
    }

    /** Redacts stories past their lifetime that are not highlighted; returns how many. */
    int expire(int max) {
        int n = 0;
        for (var story : db.query("SELECT event_id, room_id, author FROM plugin_stories_stories WHERE expired = FALSE "
                + "AND highlight = FALSE AND expires_ts <= ? ORDER BY expires_ts LIMIT ?", System.currentTimeMillis(), max)) {
            try {
                homeserver.redact((String) story.get("room_id"), (String) story.get("author"),
                        (String) story.get("event_id"), "story expired");
            } catch (MatrixException e) {
                // already gone (room left, event purged): nothing left to hide
            }
            db.update("UPDATE plugin_stories_stories SET expired = TRUE WHERE event_id = ?", story.get("event_id"));
            n++;
        }
        return n;
    }

    List<String> authors() {
        return db.query("SELECT author FROM plugin_stories_rooms ORDER BY author").stream()
                .map(r -> (String) r.get("author")).toList();
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
