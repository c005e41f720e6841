package org.hearth.core.sync;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** Rooms and members set by the test, standing in for the room engine. */
final class FakeMembership implements RoomMembership {
    private final Map<RoomId, Set<UserId>> members = new ConcurrentHashMap<>();

    FakeMembership join(UserId user, RoomId room) {
        members.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(user);
        return this;
    }

    @Override
    public boolean isJoined(UserId user, RoomId room) {
        return members.getOrDefault(room, Set.of()).contains(user);
    }

    @Override
    public Set<RoomId> joinedRooms(UserId user) {
        Set<RoomId> out = new HashSet<>();
        members.forEach((room, users) -> {
            if (users.contains(user)) {
                out.add(room);
            }
        });
        return out;
    }

    @Override
    public Set<UserId> localMembers(RoomId room) {
        return Set.copyOf(members.getOrDefault(room, Set.of()));
    }

    @Override
    public Set<UserId> usersSharingRooms(UserId user) {
        Set<UserId> out = new HashSet<>();
        members.values().forEach(users -> {
            if (users.contains(user)) {
                out.addAll(users);
            }
        });
        out.remove(user);
        return out;
    }

    @Override
    public Set<UserId> joinedMembers(RoomId room) {
        return Set.copyOf(members.getOrDefault(room, Set.of()));
    }

    /** The fake has no event stream: tests see no membership events. */
    @Override
    public List<MembershipChange> membershipChanges(long from, long to) {
        return List.of();
    }
}
