package org.hearth.plugin.api;

import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * Whose membership and receipts a user may see in the rooms of one room type (since 0.3.0). The server asks it on
 * the read paths that show members: {@code /sync} (state, timeline, receipts, typing, the summary's heroes),
 * {@code /members}, {@code /joined_members}, {@code /state} and {@code /messages}, and hides what it refuses. Only
 * rooms whose {@code m.room.create} has {@link #roomType()} as its {@code type} are asked about, so a server with no
 * such room (or no such plugin) pays nothing. Called within the call budget once per room and request; a call that
 * fails or overruns hides every member but the viewer (privacy first).
 */
public interface MemberVisibility extends ExtensionPoint {
    /** The room type this filter governs ({@code m.room.create} content {@code type}); asked once at load. */
    String roomType();

    /** What {@code viewer} may see of the other members of {@code roomId}. */
    Visible visibleTo(String roomId, String viewer);

    /** Everyone's membership, or only some users' (the viewer always sees their own). */
    sealed interface Visible permits Everyone, Only {}

    record Everyone() implements Visible {}

    /** @param users the user IDs whose membership events and receipts the viewer may see */
    record Only(Set<String> users) implements Visible {
        public Only {
            users = Set.copyOf(users);
        }
    }

    Visible EVERYONE = new Everyone();

    static Visible only(Set<String> users) {
        return new Only(users);
    }
}
