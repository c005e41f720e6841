package org.hearth.core.sync;

import jakarta.json.JsonObject;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Typing notifications (spec: "Typing Notifications"): in memory only, each with its own expiry. The position
 * starts from the clock at start-up, so tokens issued before a restart are never ahead of it.
 */
public final class TypingStream {
    // Synapse caps client timeouts too; a client that keeps typing renews well within this.
    static final long MAX_TIMEOUT_MS = 120_000;
    static final long DEFAULT_TIMEOUT_MS = 30_000;

    private final Notifier notifier;
    private final RoomMembership membership;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<RoomId, RoomTyping> rooms = new HashMap<>();
    private long position;
    volatile org.hearth.core.port.EphemeralEvents listener = org.hearth.core.port.EphemeralEvents.NONE;

    public TypingStream(Notifier notifier, RoomMembership membership, Clock clock) {
        this.notifier = notifier;
        this.membership = membership;
        this.clock = clock;
        this.position = clock.millis();
    }

    private static final class RoomTyping {
        final Map<UserId, Long> expiries = new LinkedHashMap<>();
        long position;
    }

    /** Spec "PUT /rooms/{roomId}/typing/{userId}"; {@code timeoutMs} ignored when {@code typing} is false. */
    public void set(UserId user, RoomId room, boolean typing, long timeoutMs) {
        if (!membership.isJoined(user, room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not joined to " + room.value());
        }
        boolean changed;
        lock.lock();
        try {
            RoomTyping state = rooms.computeIfAbsent(room, r -> new RoomTyping());
            if (typing) {
                long expiry = clock.millis() + Math.min(Math.max(timeoutMs, 0), MAX_TIMEOUT_MS);
                changed = state.expiries.put(user, expiry) == null;
            } else {
                changed = state.expiries.remove(user) != null;
            }
            if (changed) {
                state.position = ++position;
            }
            if (state.expiries.isEmpty() && !changed) {
                rooms.remove(room);
            }
        } finally {
            lock.unlock();
        }
        if (changed) {
            notifier.notifyRoom(room);
            emit(room);
        }
        listener.typing(user, room, typing, timeoutMs);
    }

    /** The room's typers now, as the m.typing event, to the listener. */
    private void emit(RoomId room) {
        if (listener == org.hearth.core.port.EphemeralEvents.NONE) {
            return;
        }
        var ids = Json.arrayBuilder();
        lock.lock();
        try {
            RoomTyping state = rooms.get(room);
            if (state != null) {
                state.expiries.keySet().forEach(u -> ids.add(u.value()));
            }
        } finally {
            lock.unlock();
        }
        listener.roomEphemeral(room, Json.objectBuilder().add("type", "m.typing").add("room_id", room.value())
                .add("content", Json.objectBuilder().add("user_ids", ids)).build());
    }

    /** Drops expired typers and wakes their rooms; called every second by the server. */
    public void expire() {
        long now = clock.millis();
        Set<RoomId> changed = new java.util.HashSet<>();
        lock.lock();
        try {
            for (var entry : rooms.entrySet()) {
                RoomTyping state = entry.getValue();
                if (state.expiries.values().removeIf(expiry -> expiry <= now)) {
                    state.position = ++position;
                    changed.add(entry.getKey());
                }
            }
        } finally {
            lock.unlock();
        }
        changed.forEach(notifier::notifyRoom);
        changed.forEach(this::emit);
    }

    public long currentPosition() {
        lock.lock();
        try {
            return position;
        } finally {
            lock.unlock();
        }
    }

    /** The {@code m.typing} event of each room in {@code rooms} whose typers changed after {@code from}. */
    Map<RoomId, JsonObject> changes(Set<RoomId> rooms, long from) {
        long now = clock.millis();
        Map<RoomId, JsonObject> out = new HashMap<>();
        lock.lock();
        try {
            for (RoomId room : rooms) {
                RoomTyping state = this.rooms.get(room);
                if (state == null || state.position <= from) {
                    continue;
                }
                var users = Json.arrayBuilder();
                state.expiries.forEach((user, expiry) -> {
                    if (expiry > now) {
                        users.add(user.value());
                    }
                });
                out.put(room, Json.objectBuilder().add("type", "m.typing")
                        .add("content", Json.objectBuilder().add("user_ids", users)).build());
            }
        } finally {
            lock.unlock();
        }
        return out;
    }
}
