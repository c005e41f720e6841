package org.hearth.core.room;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
    // Each user's joined rooms, kept with the membership list they came from: the reader hands out the same list
    // until a membership of the user changes, so a new list means recompute. Every sync asks, several times.
    private final Cache<UserId, JoinedRooms> joined = Caffeine.newBuilder().maximumSize(100_000).build();

    private record JoinedRooms(List<Membership> from, Set<RoomId> rooms) {}

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
        List<Membership> memberships = reader.memberships(user);
        JoinedRooms known = joined.getIfPresent(user);
        if (known != null && known.from() == memberships) {
            return known.rooms();
        }
        Set<RoomId> rooms = memberships.stream().filter(m -> Membership.JOIN.equals(m.membership()))
                .map(m -> new RoomId(m.roomId())).collect(Collectors.toUnmodifiableSet());
        joined.put(user, new JoinedRooms(memberships, rooms));
        return rooms;
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
