package org.hearth.core.room;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.hearth.core.sync.RoomMembership;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;

/** The sync streams' view of who is in which room, read from the room engine's membership table. */
public final class RoomEngineMembership implements RoomMembership {
    private final RoomReader reader;
    private final String serverName;

    public RoomEngineMembership(RoomReader reader, String serverName) {
        this.reader = reader;
        this.serverName = serverName;
    }

    @Override
    public boolean isJoined(UserId user, RoomId room) {
        return reader.membership(room, user).map(m -> Membership.JOIN.equals(m.membership())).orElse(false);
    }

    @Override
    public Set<RoomId> joinedRooms(UserId user) {
        return reader.memberships(user).stream().filter(m -> Membership.JOIN.equals(m.membership()))
                .map(m -> new RoomId(m.roomId())).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Set<UserId> localMembers(RoomId room) {
        Set<UserId> out = new HashSet<>();
        for (Membership m : reader.members(room)) {
            if (Membership.JOIN.equals(m.membership())) {
                UserId user = new UserId(m.userId());
                if (user.domain().equals(serverName)) {
                    out.add(user);
                }
            }
        }
        return out;
    }

    @Override
    public Set<UserId> usersSharingRooms(UserId user) {
        Set<UserId> out = new HashSet<>();
        for (RoomId room : joinedRooms(user)) {
            for (Membership m : reader.members(room)) {
                if (Membership.JOIN.equals(m.membership())) {
                    out.add(new UserId(m.userId()));
                }
            }
        }
        out.remove(user);
        return out;
    }

    @Override
    public Set<UserId> joinedMembers(RoomId room) {
        Set<UserId> out = new HashSet<>();
        for (Membership m : reader.members(room)) {
            if (Membership.JOIN.equals(m.membership())) {
                out.add(new UserId(m.userId()));
            }
        }
        return out;
    }

    @Override
    public List<MembershipChange> membershipChanges(long from, long to) {
        return reader.membershipChanges(from, to);
    }
}
