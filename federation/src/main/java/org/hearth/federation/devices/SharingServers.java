package org.hearth.federation.devices;

import java.util.Set;
import java.util.TreeSet;
import org.hearth.core.sync.RoomMembership;
import org.hearth.spec.id.UserId;

/** The servers that share a joined room with a user: where the user's EDUs go, and whether we track them. */
public record SharingServers(String ownName, RoomMembership membership) {
    /** Other servers with a user joined to one of {@code user}'s rooms. */
    public Set<String> of(UserId user) {
        Set<String> servers = new TreeSet<>();
        for (UserId other : membership.usersSharingRooms(user)) {
            servers.add(other.domain());
        }
        servers.remove(ownName);
        return servers;
    }

    /** Whether a local user shares a room with {@code user} (a remote user's EDUs matter here only then). */
    public boolean local(UserId user) {
        for (UserId other : membership.usersSharingRooms(user)) {
            if (other.domain().equals(ownName)) {
                return true;
            }
        }
        return false;
    }
}
