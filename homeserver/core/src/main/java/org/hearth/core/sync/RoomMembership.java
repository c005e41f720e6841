package org.hearth.core.sync;

import java.util.List;
import java.util.Set;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * Port: who is in which room, answered by the room engine from current state. The sync streams use it to
 * check typing and receipt senders, to pick the rooms whose ephemeral events a user sees, and to wake and
 * fan presence out to the right users.
 */
public interface RoomMembership {
    /** Whether {@code user}'s membership in {@code room} is {@code join}. */
    boolean isJoined(UserId user, RoomId room);

    /** The rooms {@code user} is joined to. */
    Set<RoomId> joinedRooms(UserId user);

    /** This server's users joined to {@code room}: the ones to wake. */
    Set<UserId> localMembers(RoomId room);

    /** Users sharing at least one joined room with {@code user} (their presence is visible to each other). */
    Set<UserId> usersSharingRooms(UserId user);

    /** Every user (local or remote) whose membership in {@code room} is {@code join}. */
    Set<UserId> joinedMembers(RoomId room);

    /**
     * The accepted {@code m.room.member} events in ({@code from}, {@code to}] of the event stream, oldest first:
     * who joined or left which room, for {@code device_lists} (spec: "Tracking the device list for a user").
     */
    List<MembershipChange> membershipChanges(long from, long to);

    /** {@code membership} as in the event's content: join, invite, knock, leave or ban. */
    record MembershipChange(RoomId room, UserId user, String membership) {}
}
