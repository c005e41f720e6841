package org.hearth.core.sync;

import jakarta.json.JsonObject;
import java.util.List;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Port: the room engine's side of /sync, the {@code rooms} section (spec: "GET /sync", {@code Rooms}). The
 * engine owns the event stream: its position is the first part of every {@link SyncToken}. Events are in the
 * client format ({@code ClientEventWithoutRoomID}); Hearth's sync filters type, sender and fields again after,
 * so the engine need only honour limits, {@code lazy_load_members} and the room lists.
 */
public interface RoomsStream {
    /** The newest position of the event stream; every event at or below it is committed. */
    long currentPosition();

    /**
     * The rooms of {@code user} that changed in ({@code from}, {@code to}]; {@code from} 0 is an initial sync
     * (every room, current state). With {@code request.fullState()} every joined room is returned with its full
     * state even when nothing changed.
     */
    Rooms sync(UserId user, long from, long to, Request request);

    /**
     * What the client asked for, from its filter and query parameters; {@code deviceId} for
     * {@code unsigned.transaction_id}, shown to the sending device only.
     */
    record Request(String deviceId, boolean fullState, SyncFilter.RoomFilter filter) {}

    record Rooms(List<JoinedRoom> join, List<InvitedRoom> invite, List<LeftRoom> leave, List<KnockedRoom> knock) {
        public static final Rooms NONE = new Rooms(List.of(), List.of(), List.of(), List.of());

        public Rooms {
            join = List.copyOf(join);
            invite = List.copyOf(invite);
            leave = List.copyOf(leave);
            knock = List.copyOf(knock);
        }

        public boolean isEmpty() {
            return join.isEmpty() && invite.isEmpty() && leave.isEmpty() && knock.isEmpty();
        }
    }

    /** {@code prevBatch} is the engine's pagination token for /messages before the first timeline event. */
    record Timeline(List<JsonObject> events, boolean limited, String prevBatch) {
        public Timeline {
            events = List.copyOf(events);
        }
    }

    /**
     * {@code summary} ({@code m.heroes}, {@code m.joined_member_count}, {@code m.invited_member_count}) and
     * {@code unreadNotifications} ({@code notification_count}, {@code highlight_count}) as the spec shapes them;
     * {@code summary} may be empty when unchanged.
     */
    record JoinedRoom(RoomId roomId, Timeline timeline, List<JsonObject> state, JsonObject summary,
                      JsonObject unreadNotifications) {
        public JoinedRoom {
            state = List.copyOf(state);
        }
    }

    /** {@code inviteState}: the stripped state events of the invite, the invite event itself included. */
    record InvitedRoom(RoomId roomId, List<JsonObject> inviteState) {}

    record LeftRoom(RoomId roomId, Timeline timeline, List<JsonObject> state) {}

    record KnockedRoom(RoomId roomId, List<JsonObject> knockState) {}
}
