package org.hearth.plugins.calls;

import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.plugin.api.PluginDatabase;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.plugin.api.ScheduledTask;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/**
 * Call history per user, derived from the 1:1 VoIP events ({@code m.call.invite}, {@code answer}, {@code hangup},
 * {@code reject}): caller, callee, voice or video, start, answer, end, duration and outcome. A call that ends
 * unanswered, or whose invite's lifetime runs out, is missed: a notice goes into the room (sent as the caller, a
 * local user) and is pushed to the callee's pushers, so every client shows it. Served at
 * {@code GET /_hearth/plugins/calls/history}.
 *
 * <p>Times are when the server observed each event (observed events carry no timestamp); the observer is at least
 * once, so every write is conditional on the call's current outcome and a replay changes nothing.
 */
@Extension
public class CallHistory implements EventObserver, PluginRoutes, ScheduledTask {
    static final String RINGING = "ringing";
    static final String ONGOING = "ongoing";
    static final String ENDED = "ended";
    static final String MISSED = "missed";
    static final String DECLINED = "declined";
    private static final long DEFAULT_LIFETIME_MS = 60_000;
    private static final int MAX_LIMIT = 500;

    private final Homeserver homeserver;
    private final PluginDatabase db;

    public CallHistory(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.db = homeserver.database();
    }

    @Override
    public void observe(ObservedEvent event) {
        if (event.stateKey().isPresent() || !event.type().startsWith("m.call.")) {
            return;
        }
        Optional<String> callId = string(event.content(), "call_id");
        if (callId.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        switch (event.type()) {
            case "m.call.invite" -> invited(event, callId.get(), now);
            case "m.call.answer" -> db.update("UPDATE plugin_calls_history SET answered_ts = ?, outcome = ?"
                    + " WHERE room_id = ? AND call_id = ? AND outcome = ?", now, ONGOING, event.roomId(), callId.get(), RINGING);
            case "m.call.reject" -> db.update("UPDATE plugin_calls_history SET ended_ts = ?, end_reason = ?, outcome = ?"
                    + " WHERE room_id = ? AND call_id = ? AND outcome = ?", now, "rejected", DECLINED, event.roomId(),
                    callId.get(), RINGING);
            case "m.call.hangup" -> hungUp(event, callId.get(), now);
            default -> { }
        }
    }

    private void invited(ObservedEvent event, String callId, long now) {
        JsonObject content = event.content();
        Optional<String> callee = string(content, "invitee").or(() -> {
            List<String> others = homeserver.joinedMembers(event.roomId()).stream()
                    .filter(u -> !u.equals(event.sender())).toList();
            return others.size() == 1 ? Optional.of(others.getFirst()) : Optional.empty();
        });
        boolean video = content.containsKey("offer") && content.get("offer") instanceof JsonObject offer
                && string(offer, "sdp").map(sdp -> sdp.contains("m=video")).orElse(false);
        long lifetime = content.containsKey("lifetime") && content.get("lifetime") instanceof jakarta.json.JsonNumber n
                ? Math.max(0, Math.min(n.longValue(), 3_600_000)) : DEFAULT_LIFETIME_MS;
        db.update("INSERT IGNORE INTO plugin_calls_history (room_id, call_id, caller, callee, video, started_ts,"
                        + " lifetime_ms, outcome) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                event.roomId(), callId, event.sender(), callee.orElse(null), video, now, lifetime, RINGING);
    }

    private void hungUp(ObservedEvent event, String callId, long now) {
        String reason = string(event.content(), "reason").orElse("user_hangup");
        db.update("UPDATE plugin_calls_history SET ended_ts = ?, end_reason = ?, outcome = ?"
                + " WHERE room_id = ? AND call_id = ? AND outcome = ?", now, reason, ENDED, event.roomId(), callId, ONGOING);
        if (db.update("UPDATE plugin_calls_history SET ended_ts = ?, end_reason = ?, outcome = ?"
                + " WHERE room_id = ? AND call_id = ? AND outcome = ?", now, reason, MISSED, event.roomId(), callId,
                RINGING) == 1) {
            announceMissed(event.roomId(), callId);
        }
    }

    @Override
    public Duration interval() {
        return Duration.ofSeconds(5);
    }

    /** Invites whose lifetime ran out unanswered are missed calls. */
    @Override
    public void run() {
        long now = System.currentTimeMillis();
        for (Map<String, Object> row : db.query("SELECT room_id, call_id FROM plugin_calls_history"
                + " WHERE outcome = ? AND started_ts + lifetime_ms < ? LIMIT 100", RINGING, now)) {
            String room = (String) row.get("room_id");
            String callId = (String) row.get("call_id");
            if (db.update("UPDATE plugin_calls_history SET ended_ts = ?, end_reason = ?, outcome = ?"
                    + " WHERE room_id = ? AND call_id = ? AND outcome = ?", now, "invite_timeout", MISSED, room, callId,
                    RINGING) == 1) {
                announceMissed(room, callId);
            }
        }
    }

    /** The notice in the room and its push to the callee; both only for local users, who alone we can act for. */
    private void announceMissed(String roomId, String callId) {
        var rows = db.query("SELECT caller, callee, video FROM plugin_calls_history WHERE room_id = ? AND call_id = ?",
                roomId, callId);
        if (rows.isEmpty()) {
            return;
        }
        String caller = (String) rows.getFirst().get("caller");
        String callee = (String) rows.getFirst().get("callee");
        boolean video = truthy(rows.getFirst().get("video"));
        if (callee == null || !local(caller)) {
            return;
        }
        String name = homeserver.profile(caller).flatMap(p -> string(p, "displayname")).orElse(caller);
        String body = "Missed " + (video ? "video" : "voice") + " call from " + name;
        String notice = homeserver.sendEvent(roomId, caller, "m.room.message", Json.objectBuilder()
                .add("msgtype", "m.notice").add("body", body)
                .add("org.hearth.calls.missed", Json.objectBuilder().add("call_id", callId).add("callee", callee))
                .build());
        if (local(callee) && homeserver.membership(roomId, callee).filter("join"::equals).isPresent()) {
            homeserver.pushNotification(callee, roomId, notice);
        }
    }

    private boolean local(String userId) {
        return userId.endsWith(":" + homeserver.serverName());
    }

    @Override
    public List<Route> routes() {
        return List.of(Route.get("/history", req -> {
            int limit = limit(req.query().get("limit"));
            List<GroupCalls.Entry> entries = new java.util.ArrayList<>();
            for (Map<String, Object> row : db.query("SELECT * FROM plugin_calls_history WHERE caller = ? OR callee = ?"
                    + " ORDER BY started_ts DESC, call_id LIMIT ?", req.user(), req.user(), limit)) {
                entries.add(new GroupCalls.Entry(number(row.get("started_ts")), entry(row, req.user())));
            }
            entries.addAll(GroupCalls.of(db, req.user(), limit));
            entries.sort(java.util.Comparator.comparingLong(GroupCalls.Entry::startTs).reversed());
            JsonArrayBuilder calls = Json.arrayBuilder();
            entries.stream().limit(limit).forEach(e -> calls.add(e.json()));
            return PluginResponse.ok(Json.objectBuilder().add("calls", calls).build());
        }));
    }

    static int limit(String raw) {
        if (raw == null) {
            return 50;
        }
        try {
            int limit = Integer.parseInt(raw);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "limit must be an integer from 1 to " + MAX_LIMIT);
    }

    static JsonObject entry(Map<String, Object> row, String user) {
        String caller = (String) row.get("caller");
        JsonObjectBuilder b = Json.objectBuilder()
                .add("call_id", (String) row.get("call_id"))
                .add("room_id", (String) row.get("room_id"))
                .add("caller", caller)
                .add("direction", caller.equals(user) ? "outgoing" : "incoming")
                .add("type", truthy(row.get("video")) ? "video" : "voice")
                .add("start_ts", number(row.get("started_ts")))
                .add("outcome", (String) row.get("outcome"))
                .add("missed", MISSED.equals(row.get("outcome")));
        if (row.get("callee") != null) {
            b.add("callee", (String) row.get("callee"));
        }
        if (row.get("answered_ts") != null) {
            b.add("answer_ts", number(row.get("answered_ts")));
        }
        if (row.get("ended_ts") != null) {
            b.add("end_ts", number(row.get("ended_ts")));
            b.add("duration_ms", row.get("answered_ts") == null ? 0
                    : number(row.get("ended_ts")) - number(row.get("answered_ts")));
        }
        return b.build();
    }

    private static long number(Object value) {
        return ((Number) value).longValue();
    }

    private static boolean truthy(Object value) {
        return value instanceof Boolean b ? b : value instanceof Number n && n.intValue() != 0;
    }

    private static Optional<String> string(JsonObject object, String key) {
        return object.get(key) instanceof JsonString s ? Optional.of(s.getString()) : Optional.empty();
    }
}
