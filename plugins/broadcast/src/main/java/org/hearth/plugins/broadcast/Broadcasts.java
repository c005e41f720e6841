package org.hearth.plugins.broadcast;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginDatabase;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Broadcast lists. A list is a room of its own (type {@value #ROOM_TYPE}) whose only member is its owner; its state
 * {@value #LIST_STATE} holds the name and the recipients. A message to a list goes, as the owner, into each
 * recipient's own DM with the owner (created when missing), so recipients never see each other; each delivery is
 * recorded. Into an encrypted DM the server cannot write: the delivery waits for the owner's client to send it.
 */
final class Broadcasts {
    static final String ROOM_TYPE = "org.hearth.broadcast";
    static final String LIST_STATE = "org.hearth.broadcast.list";
    static final String NOTICE_MARK = "org.hearth.broadcast.report";
    static final int MAX_RECIPIENTS = 1000;
    private static final String USER_ID = "@[^:\\s]+:[^\\s]+";

    private final Homeserver homeserver;
    private final PluginDatabase db;

    Broadcasts(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.db = homeserver.database();
    }

    Homeserver homeserver() {
        return homeserver;
    }

    static String name(JsonValue value) {
        if (!(value instanceof JsonString s) || s.getString().isBlank() || s.getString().length() > 255) {
            throw new MatrixException(ErrorCode.BAD_JSON, "name must be a non-empty string of at most 255 characters");
        }
        return s.getString().strip();
    }

    static String userId(String owner, String value) {
        if (value == null || !value.matches(USER_ID) || value.length() > 255) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Not a user ID: " + value);
        }
        if (value.equals(owner)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "You cannot be a recipient of your own list");
        }
        return value;
    }

    static List<String> recipients(String owner, JsonValue value) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "recipients must be an array of user IDs");
        }
        Set<String> out = new LinkedHashSet<>();
        for (JsonValue v : array) {
            if (!(v instanceof JsonString s)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "recipients must be an array of user IDs");
            }
            out.add(userId(owner, s.getString()));
        }
        if (out.size() > MAX_RECIPIENTS) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "at most " + MAX_RECIPIENTS + " recipients");
        }
        return List.copyOf(out);
    }

    /** Creates a list room as the owner; returns its room ID. */
    String create(String owner, String name, List<String> recipients) {
        if (!owner.endsWith(":" + homeserver.serverName())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Only users of this server have broadcast lists");
        }
        String room = homeserver.createRoom(owner, Json.objectBuilder()
                .add("preset", "private_chat").add("name", name)
                .add("topic", "Broadcast list: what you write here goes to each recipient's DM with you")
                .add("creation_content", Json.objectBuilder().add("type", ROOM_TYPE).add("m.federate", false))
                .add("initial_state", Json.arrayBuilder().add(Json.objectBuilder().add("type", LIST_STATE)
                        .add("state_key", "").add("content", listContent(name, recipients))))
                .build());
        db.update("INSERT INTO plugin_broadcast_lists (room_id, owner) VALUES (?, ?)", room, owner);
        return room;
    }

    private static JsonObject listContent(String name, List<String> recipients) {
        var array = Json.arrayBuilder();
        recipients.forEach(array::add);
        return Json.objectBuilder().add("name", name).add("recipients", array).build();
    }

    Optional<String> ownerOf(String room) {
        return db.query("SELECT owner FROM plugin_broadcast_lists WHERE room_id = ?", room).stream()
                .map(r -> (String) r.get("owner")).findFirst();
    }

    /** The list's state, for its owner; 404 for an unknown list or another user's (nothing to tell apart). */
    JsonObject list(String owner, String room) {
        if (!ownerOf(room).filter(owner::equals).isPresent()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No broadcast list " + room);
        }
        JsonObject state = homeserver.state(room, LIST_STATE, "").orElse(listContent("", List.of()));
        return Json.objectBuilder(state).add("list_id", room).build();
    }

    List<JsonObject> lists(String owner) {
        List<JsonObject> out = new ArrayList<>();
        for (var row : db.query("SELECT room_id FROM plugin_broadcast_lists WHERE owner = ? ORDER BY room_id", owner)) {
            out.add(list(owner, (String) row.get("room_id")));
        }
        return out;
    }

    List<String> recipientsOf(JsonObject list) {
        List<String> out = new ArrayList<>();
        list.getJsonArray("recipients").forEach(v -> out.add(((JsonString) v).getString()));
        return out;
    }

    void rename(String owner, String room, String name) {
        JsonObject list = list(owner, room);
        homeserver.sendState(room, owner, LIST_STATE, "", listContent(name, recipientsOf(list)));
        homeserver.sendState(room, owner, "m.room.name", "", Json.objectBuilder().add("name", name).build());
    }

    void setRecipient(String owner, String room, String user, boolean present) {
        JsonObject list = list(owner, room);
        List<String> recipients = new ArrayList<>(recipientsOf(list));
        boolean changed = present ? !recipients.contains(user) && recipients.add(user) : recipients.remove(user);
        if (present && recipients.size() > MAX_RECIPIENTS) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "at most " + MAX_RECIPIENTS + " recipients");
        }
        if (changed) {
            homeserver.sendState(room, owner, LIST_STATE, "", listContent(list.getString("name"), recipients));
        }
    }

    /** Checks a message's content before anything is sent or stored. */
    static JsonObject message(JsonObject body) {
        if (!(body.get("msgtype") instanceof JsonString msgtype) || msgtype.getString().isBlank()) {
            throw new MatrixException(ErrorCode.BAD_JSON, "msgtype must be a string such as m.text");
        }
        if (!(body.get("body") instanceof JsonString text) || text.getString().isEmpty()) {
            throw new MatrixException(ErrorCode.BAD_JSON, "body must be a non-empty string");
        }
        return body;
    }

    /**
     * Sends a message to every recipient's DM with the owner; returns the report. {@code messageId} is the list
     * room's event when the owner wrote there, else a fresh ID. Idempotent per message ID.
     */
    JsonObject send(String owner, String room, String messageId, JsonObject content) {
        JsonObject list = list(owner, room);
        if (db.update("INSERT IGNORE INTO plugin_broadcast_messages (message_id, room_id, sent_ts, content) VALUES (?, ?, ?, ?)",
                messageId, room, System.currentTimeMillis(), content.toString()) == 0) {
            return report(owner, room, messageId);
        }
        JsonObject payload = Json.objectBuilder(content)
                .add("org.hearth.broadcast", Json.objectBuilder().add("message_id", messageId)).build();
        for (String recipient : recipientsOf(list)) {
            String dm = null;
            try {
                dm = directRoom(owner, recipient);
                if (homeserver.state(dm, "m.room.encryption", "").isPresent()) {
                    delivery(messageId, recipient, dm, "pending_client", null, "encrypted DM: the client sends it");
                    continue;
                }
                String eventId = homeserver.sendEvent(dm, owner, "m.room.message", payload);
                boolean joined = homeserver.membership(dm, recipient).filter("join"::equals).isPresent()
                        && recipient.endsWith(":" + homeserver.serverName());
                delivery(messageId, recipient, dm, joined ? "delivered" : "sent", eventId, null);
            } catch (MatrixException e) {
                delivery(messageId, recipient, dm, "failed", null, e.code().errcode() + ": " + e.getMessage());
            }
        }
        return report(owner, room, messageId);
    }

    private void delivery(String messageId, String recipient, String dm, String status, String eventId, String detail) {
        db.update("INSERT INTO plugin_broadcast_deliveries (message_id, recipient, dm_room_id, status, event_id, detail) "
                + "VALUES (?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE status = VALUES(status), event_id = VALUES(event_id), "
                + "detail = VALUES(detail)", messageId, recipient, dm, status, eventId,
                detail == null ? null : detail.substring(0, Math.min(255, detail.length())));
    }

    /** The client sent a message into an encrypted DM itself: that delivery is done. */
    boolean clientSent(String owner, String room, String messageId, String recipient, String eventId) {
        list(owner, room);
        return db.update("UPDATE plugin_broadcast_deliveries SET status = 'sent', event_id = ?, detail = NULL "
                + "WHERE message_id = ? AND recipient = ? AND status = 'pending_client'", eventId, messageId, recipient) > 0;
    }

    /** An encrypted event of the owner in a DM waiting for the client: the oldest pending delivery there is sent. */
    void encryptedSent(String sender, String dmRoom, String eventId) {
        for (var row : db.query("SELECT d.message_id, d.recipient FROM plugin_broadcast_deliveries d "
                + "JOIN plugin_broadcast_messages m ON m.message_id = d.message_id JOIN plugin_broadcast_lists l "
                + "ON l.room_id = m.room_id WHERE d.dm_room_id = ? AND d.status = 'pending_client' AND l.owner = ? "
                + "ORDER BY m.sent_ts LIMIT 1", dmRoom, sender)) {
            db.update("UPDATE plugin_broadcast_deliveries SET status = 'sent', event_id = ?, detail = NULL "
                    + "WHERE message_id = ? AND recipient = ?", eventId, row.get("message_id"), row.get("recipient"));
        }
    }

    JsonObject report(String owner, String room, String messageId) {
        list(owner, room);
        List<Map<String, Object>> rows = db.query("SELECT recipient, dm_room_id, status, event_id, detail FROM "
                + "plugin_broadcast_deliveries d JOIN plugin_broadcast_messages m ON m.message_id = d.message_id "
                + "WHERE d.message_id = ? AND m.room_id = ? ORDER BY recipient", messageId, room);
        if (rows.isEmpty() && db.query("SELECT message_id FROM plugin_broadcast_messages WHERE message_id = ? AND room_id = ?",
                messageId, room).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No message " + messageId + " in this list");
        }
        var deliveries = Json.arrayBuilder();
        var encrypted = Json.arrayBuilder();
        for (var row : rows) {
            var d = Json.objectBuilder().add("user_id", (String) row.get("recipient")).add("status", (String) row.get("status"));
            if (row.get("dm_room_id") != null) {
                d.add("room_id", (String) row.get("dm_room_id"));
            }
            if (row.get("event_id") != null) {
                d.add("event_id", (String) row.get("event_id"));
            }
            if (row.get("detail") != null) {
                d.add("detail", (String) row.get("detail"));
            }
            deliveries.add(d);
            if ("pending_client".equals(row.get("status"))) {
                encrypted.add(Json.objectBuilder().add("user_id", (String) row.get("recipient"))
                        .add("room_id", (String) row.get("dm_room_id")));
            }
        }
        return Json.objectBuilder().add("message_id", messageId).add("deliveries", deliveries)
                .add("encrypted", encrypted).build();
    }

    /** A one-line-per-recipient text of a report, for the notice in the list room. */
    static String reportText(JsonObject report) {
        JsonArray deliveries = report.getJsonArray("deliveries");
        long done = deliveries.stream().map(JsonValue::asJsonObject)
                .filter(d -> Set.of("delivered", "sent").contains(d.getString("status"))).count();
        StringBuilder out = new StringBuilder("Sent to " + done + " of " + deliveries.size() + ":");
        for (JsonValue v : deliveries) {
            JsonObject d = v.asJsonObject();
            out.append("\n- ").append(d.getString("user_id")).append(": ").append(switch (d.getString("status")) {
                case "pending_client" -> "encrypted DM, your client must send it";
                case "failed" -> "failed (" + d.getString("detail", "") + ")";
                default -> d.getString("status");
            });
        }
        return out.toString();
    }

    /** The owner's DM with the recipient from the owner's {@code m.direct}, else a new one (added there). */
    String directRoom(String owner, String recipient) {
        JsonObject direct = homeserver.accountData(owner, "m.direct").orElse(JsonValue.EMPTY_JSON_OBJECT);
        if (direct.get(recipient) instanceof JsonArray rooms) {
            for (JsonValue v : rooms) {
                if (v instanceof JsonString room && homeserver.roomExists(room.getString())
                        && homeserver.membership(room.getString(), owner).filter("join"::equals).isPresent()
                        && homeserver.membership(room.getString(), recipient)
                        .filter(m -> m.equals("join") || m.equals("invite")).isPresent()) {
                    return room.getString();
                }
            }
        }
        String room = homeserver.createRoom(owner, Json.objectBuilder().add("preset", "trusted_private_chat")
                .add("is_direct", true).add("invite", Json.arrayBuilder().add(recipient)).build());
        var rooms = Json.arrayBuilder();
        if (direct.get(recipient) instanceof JsonArray old) {
            old.forEach(rooms::add);
        }
        rooms.add(room);
        homeserver.setAccountData(owner, "m.direct", Json.objectBuilder(direct).add(recipient, rooms).build());
        return room;
    }
}
