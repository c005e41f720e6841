package org.hearth.server;

import java.util.Set;
import org.hearth.core.sync.RoomMembership;
import org.hearth.core.sync.RoomsStream;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/**
 * The sync streams' room ports before the room engine is wired in: no rooms, no members. Typing and receipts
 * are then refused (not joined) and /sync has empty room sections. Replaced in {@link HearthServer} by the
 * room engine's implementations.
 */
final class NoRoomEngine implements RoomsStream, RoomMembership {
    @Override
    public long currentPosition() {
        return 0;
    }

    @Override
    public Rooms sync(UserId user, long from, long to, Request request) {
        return Rooms.NONE;
    }

    @Override
    public boolean isJoined(UserId user, RoomId room) {
        return false;
    }

    @Override
    public Set<RoomId> joinedRooms(UserId user) {
        return Set.of();
    }

    @Override
    public Set<UserId> localMembers(RoomId room) {
        return Set.of();
    }

    @Override
    public Set<UserId> usersSharingRooms(UserId user) {
        return Set.of();
    }
}
