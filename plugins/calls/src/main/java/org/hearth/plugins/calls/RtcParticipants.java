package org.hearth.plugins.calls;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.hearth.plugin.api.EventCheck;
import org.hearth.plugin.api.EventObserver;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.ObservedEvent;
import org.hearth.plugin.api.PluginDatabase;
import org.hearth.plugin.api.ProposedEvent;
import org.hearth.plugin.api.ScheduledTask;
import org.hearth.plugin.api.Verdict;
import org.hearth.spec.error.ErrorCode;
import org.pf4j.Extension;

/**
 * The participant limit of MatrixRTC group calls (default 8, {@code plugin_config.calls.max_participants}), enforced
 * on the call membership state events ({@code org.matrix.msc3401.call.member}, {@code m.call.member}): joining a
 * call that already has that many other users is refused with M_FORBIDDEN; leaving (empty content) always passes.
 * The active members are tracked from the committed state events, per state key (one per device in MSC4143's
 * format, one per user in the older {@code memberships} format).
 */
@Extension
public class RtcParticipants implements EventCheck, EventObserver, ScheduledTask {
    private static final long DEFAULT_LIFETIME_MS = 4 * 3_600_000L;
    static final Set<String> MEMBER_TYPES = Set.of("org.matrix.msc3401.call.member", "m.call.member");

    private final Homeserver homeserver;
    private final PluginDatabase db;
    private final int maxParticipants;

    public RtcParticipants(Homeserver homeserver) {
        this.homeserver = homeserver;
        this.db = homeserver.database();
        this.maxParticipants = maxParticipants(homeserver.config());
    }

    /** {@code plugin_config.calls.max_participants}, default 8; a bad value refuses the load. */
    static int maxParticipants(JsonObject config) {
        String configured = config.getString("max_participants", "8");
        int max;
        try {
            max = Integer.parseInt(configured.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("plugin_config.calls.max_participants must be an integer, got '"
                    + configured + "'");
        }
        if (max < 1) {
            throw new IllegalArgumentException("plugin_config.calls.max_participants must be at least 1, got " + max);
        }
        return max;
    }

    @Override
    public Verdict check(ProposedEvent event) {
        if (!MEMBER_TYPES.contains(event.type()) || event.stateKey().isEmpty() || !active(event.content())) {
            return Verdict.ALLOW;
        }
        long others = ((Number) db.query("SELECT COUNT(DISTINCT user_id) AS n FROM plugin_calls_rtc_members"
                + " WHERE room_id = ? AND user_id <> ?", event.roomId(), event.sender()).getFirst().get("n")).longValue();
        if (others >= maxParticipants) {
            return Verdict.refuse(ErrorCode.FORBIDDEN,
                    "This call is full: it has the maximum of " + maxParticipants + " participants");
        }
        return Verdict.ALLOW;
    }

    @Override
    public void observe(ObservedEvent event) {
        if (!MEMBER_TYPES.contains(event.type()) || event.stateKey().isEmpty()) {
            return;
        }
        String stateKey = event.stateKey().get();
        long now = System.currentTimeMillis();
        if (active(event.content())) {
            db.transaction(tx -> {
                tx.update("INSERT INTO plugin_calls_rtc_members (room_id, state_key, user_id, expires_ts)"
                        + " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE user_id = VALUES(user_id),"
                        + " expires_ts = VALUES(expires_ts)", event.roomId(), stateKey, event.sender(),
                        now + lifetime(event.content()));
                GroupCalls.joined(tx, event, now);
                return null;
            });
        } else {
            List<String> joinedRoomMembers = homeserver.joinedMembers(event.roomId());
            db.transaction(tx -> {
                if (tx.update("DELETE FROM plugin_calls_rtc_members WHERE room_id = ? AND state_key = ?", event.roomId(),
                        stateKey) > 0) {
                    GroupCalls.left(tx, event.roomId(), event.sender(), joinedRoomMembers, now);
                }
                return null;
            });
        }
    }

    @Override
    public Duration interval() {
        return Duration.ofSeconds(5);
    }

    /**
     * Memberships whose device never left (a crashed client) run out after their {@code expires}: the seat is
     * freed and, for the last one, the group call ends.
     */
    @Override
    public void run() {
        long now = System.currentTimeMillis();
        for (Map<String, Object> row : db.query("SELECT room_id, state_key, user_id FROM plugin_calls_rtc_members"
                + " WHERE expires_ts < ? LIMIT 100", now)) {
            String room = (String) row.get("room_id");
            String user = (String) row.get("user_id");
            List<String> joinedRoomMembers = homeserver.joinedMembers(room);
            db.transaction(tx -> {
                if (tx.update("DELETE FROM plugin_calls_rtc_members WHERE room_id = ? AND state_key = ?"
                        + " AND expires_ts < ?", room, row.get("state_key"), now) > 0) {
                    GroupCalls.left(tx, room, user, joinedRoomMembers, now);
                }
                return null;
            });
        }
    }

    /**
     * How long a membership holds: MSC4143's {@code expires} (ms; in the older format the first of
     * {@code memberships}), default four hours as the MSC says, at most a day.
     */
    static long lifetime(JsonObject content) {
        JsonObject source = content;
        if (content.get("memberships") instanceof JsonArray list && !list.isEmpty()
                && list.get(0) instanceof JsonObject first) {
            source = first;
        }
        long expires = source.get("expires") instanceof JsonNumber n ? n.longValue() : DEFAULT_LIFETIME_MS;
        return Math.max(0, Math.min(expires, 24 * 3_600_000L));
    }

    /** Empty content is a leave; the older format's {@code memberships} list may be empty too. */
    static boolean active(JsonObject content) {
        if (content.isEmpty()) {
            return false;
        }
        if (content.containsKey("memberships")) {
            return content.get("memberships") instanceof JsonArray memberships && !memberships.isEmpty();
        }
        return true;
    }
}
