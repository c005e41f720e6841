package org.hearth.plugins.calls;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.plugin.api.PluginDatabase;
import org.hearth.spec.json.Json;

/**
 * Group-call history from MatrixRTC call memberships: a call starts with the room's first membership (its ID is that
 * event's ID, its caller that sender) and ends when the last one leaves. Each user who joined gets an entry (first
 * join, last leave); in a DM (exactly two joined members when the call ends) the member who never joined gets a
 * missed entry, as a user expects of a call to them; in bigger rooms no one "missed" a group call.
 * Voice or video: the first membership's {@code m.call.intent} ({@code audio} is voice), else video, Element
 * Call's default.
 */
final class GroupCalls {
    private GroupCalls() {}

    /** The member joined (or updated) a call in the room; within the observer's transaction. */
    static void joined(PluginDatabase tx, ObservedEvent event, long now) {
        boolean video = !(event.content().get("m.call.intent") instanceof JsonString intent
                && intent.getString().equals("audio"));
        String call = open(tx, event.roomId()).orElseGet(() -> {
            tx.update("INSERT IGNORE INTO plugin_calls_group (call_id, room_id, caller, video, started_ts)"
                    + " VALUES (?, ?, ?, ?, ?)", event.eventId(), event.roomId(), event.sender(), video, now);
            return event.eventId();
        });
        tx.update("INSERT IGNORE INTO plugin_calls_group_members (call_id, user_id, joined_ts) VALUES (?, ?, ?)",
                call, event.sender(), now);
        tx.update("UPDATE plugin_calls_group_members SET left_ts = NULL WHERE call_id = ? AND user_id = ?",
                call, event.sender());
    }

    /**
     * A membership left (or ran out); {@code joinedRoomMembers} read before the transaction (reading it inside would take a
     * second connection).
     */
    static void left(PluginDatabase tx, String roomId, String userId, List<String> joinedRoomMembers, long now) {
        Optional<String> open = open(tx, roomId);
        if (open.isEmpty()) {
            return;
        }
        String call = open.get();
        if (count(tx, "SELECT COUNT(*) AS n FROM plugin_calls_rtc_members WHERE room_id = ? AND user_id = ?",
                roomId, userId) == 0) {
            tx.update("UPDATE plugin_calls_group_members SET left_ts = ? WHERE call_id = ? AND user_id = ?"
                    + " AND joined_ts IS NOT NULL AND left_ts IS NULL", now, call, userId);
        }
        if (count(tx, "SELECT COUNT(*) AS n FROM plugin_calls_rtc_members WHERE room_id = ?", roomId) > 0) {
            return;
        }
        tx.update("UPDATE plugin_calls_group SET ended_ts = ? WHERE call_id = ? AND ended_ts IS NULL", now, call);
        tx.update("UPDATE plugin_calls_group_members SET left_ts = ? WHERE call_id = ? AND joined_ts IS NOT NULL"
                + " AND left_ts IS NULL", now, call);
        if (joinedRoomMembers.size() == 2) {
            for (String member : joinedRoomMembers) {
                tx.update("INSERT IGNORE INTO plugin_calls_group_members (call_id, user_id) VALUES (?, ?)", call, member);
            }
        }
    }

    private static Optional<String> open(PluginDatabase tx, String roomId) {
        return tx.query("SELECT call_id FROM plugin_calls_group WHERE room_id = ? AND ended_ts IS NULL"
                + " ORDER BY started_ts DESC LIMIT 1", roomId).stream().map(r -> (String) r.get("call_id")).findFirst();
    }

    private static long count(PluginDatabase tx, String sql, Object... params) {
        return ((Number) tx.query(sql, params).getFirst().get("n")).longValue();
    }

    /** The user's group calls, newest first, in the history route's shape with {@code "group": true}. */
    static List<Entry> of(PluginDatabase db, String user, int limit) {
        return db.query("SELECT g.call_id, g.room_id, g.caller, g.video, g.started_ts, g.ended_ts, m.joined_ts,"
                + " m.left_ts FROM plugin_calls_group_members m JOIN plugin_calls_group g ON g.call_id = m.call_id"
                + " WHERE m.user_id = ? ORDER BY g.started_ts DESC LIMIT ?", user, limit).stream()
                .map(row -> new Entry(((Number) row.get("started_ts")).longValue(), entry(db, row, user))).toList();
    }

    record Entry(long startTs, JsonObject json) {}

    private static JsonObject entry(PluginDatabase db, Map<String, Object> row, String user) {
        String call = (String) row.get("call_id");
        String caller = (String) row.get("caller");
        JsonArrayBuilder participants = Json.arrayBuilder();
        db.query("SELECT user_id FROM plugin_calls_group_members WHERE call_id = ? AND joined_ts IS NOT NULL"
                + " ORDER BY joined_ts, user_id", call).forEach(r -> participants.add((String) r.get("user_id")));
        Long joined = number(row.get("joined_ts"));
        Long left = number(row.get("left_ts"));
        Long ended = number(row.get("ended_ts"));
        String outcome = joined == null ? CallHistory.MISSED : left == null && ended == null ? CallHistory.ONGOING
                : CallHistory.ENDED;
        var b = Json.objectBuilder()
                .add("call_id", call)
                .add("room_id", (String) row.get("room_id"))
                .add("group", true)
                .add("caller", caller)
                .add("direction", caller.equals(user) ? "outgoing" : "incoming")
                .add("type", truthy(row.get("video")) ? "video" : "voice")
                .add("start_ts", ((Number) row.get("started_ts")).longValue())
                .add("participants", participants)
                .add("outcome", outcome)
                .add("missed", joined == null);
        if (joined != null) {
            b.add("answer_ts", joined);
        }
        Long end = left != null ? left : ended;
        if (end != null) {
            b.add("end_ts", end);
            b.add("duration_ms", joined == null ? 0 : end - joined);
        }
        return b.build();
    }

    private static Long number(Object value) {
        return value == null ? null : ((Number) value).longValue();
    }

    private static boolean truthy(Object value) {
        return value instanceof Boolean b ? b : value instanceof Number n && n.intValue() != 0;
    }
}
