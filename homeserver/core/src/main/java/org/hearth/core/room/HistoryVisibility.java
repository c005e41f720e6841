package org.hearth.core.room;

import java.util.Map;
import java.util.Optional;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Who may see which events of a room (spec: Client-Server API, "Room history visibility"): decided per event from
 * the {@code m.room.history_visibility} and the user's membership in the state at that event.
 */
public final class HistoryVisibility {
    static final StateKey KEY = StateKey.of("m.room.history_visibility", "");
    private final RoomReader reader;

    public HistoryVisibility(RoomReader reader) {
        this.reader = reader;
    }

    /** One reader's view of one room: the current membership is read once for a page of events. */
    public Viewer viewer(RoomId room, UserId user) {
        String current = reader.membership(room, user).map(Membership::membership).orElse(null);
        return new Viewer(user, current, reader.expiryCutoff(room));
    }

    public final class Viewer {
        private final UserId user;
        private final String currentMembership;
        private final long expiryCutoff;

        private Viewer(UserId user, String currentMembership, long expiryCutoff) {
            this.user = user;
            this.currentMembership = currentMembership;
            this.expiryCutoff = expiryCutoff;
        }

        public Optional<String> currentMembership() {
            return Optional.ofNullable(currentMembership);
        }

        public boolean isJoined() {
            return Membership.JOIN.equals(currentMembership);
        }

        public boolean canSee(StoredEvent event) {
            // Expired under the room's retention policy: gone for everyone, even before the purge job ran.
            if (reader.expired(event, expiryCutoff)) {
                return false;
            }
            Map<StateKey, String> state = reader.stateIdsBefore(event);
            String visibility = content(state.get(KEY), "history_visibility", "shared");
            if (visibility.equals("world_readable")) {
                return true;
            }
            // A user always sees their own membership events.
            if (event.type().equals("m.room.member") && event.stateKey().equals(Optional.of(user.value()))) {
                return true;
            }
            String membership = content(state.get(StateKey.of("m.room.member", user.value())), "membership", "leave");
            if (membership.equals(Membership.JOIN)) {
                return true;
            }
            return switch (visibility) {
                case "invited" -> membership.equals(Membership.INVITE);
                case "joined" -> false;
                // "shared": everything while the user is joined now (an unknown value counts as shared).
                default -> isJoined();
            };
        }

        private String content(String eventId, String key, String fallback) {
            if (eventId == null) {
                return fallback;
            }
            return reader.event(eventId).map(e -> e.pdu().content().getString(key, fallback)).orElse(fallback);
        }
    }

    /** Whether the room's current state makes it readable by anyone ({@code world_readable}). */
    public boolean worldReadable(RoomId room) {
        return reader.currentStateEvent(room, KEY.type(), "")
                .map(e -> "world_readable".equals(e.pdu().content().getString("history_visibility", "")))
                .orElse(false);
    }
}
