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
    // Every commit wakes its room's local members. The reader hands out a new members list whenever the room's
    // membership changes, so the same list means the same users: parsing and checking each member's user ID on
    // every commit was ~1% of a send's CPU in a 1,000-member room.
    private final Cache<String, LocalMembers> localMembers = Caffeine.newBuilder().maximumSize(10_000).build();

    private record LocalMembers(List<Membership> members, Set<UserId> users) {}

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
        List<Membership> members = reader.members(room);
        LocalMembers known = localMembers.getIfPresent(room.value());
        if (known != null && known.members() == members) {
            return known.users();
        }
        Set<UserId> out = new HashSet<>();
        for (Membership m : members) {
            if (Membership.JOIN.equals(m.membership())) {
                UserId user = new UserId(m.userId());
                if (user.domain().equals(serverName)) {
                    out.add(user);
                }
            }
        }
        known = new LocalMembers(members, Set.copyOf(out));
        localMembers.put(room.value(), known);
        return known.users();
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
