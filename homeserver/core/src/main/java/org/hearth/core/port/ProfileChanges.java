package org.hearth.core.port;

import org.hearth.spec.id.UserId;

/**
 * Told after a local user's profile changed or the account was deactivated (committed), so the room engine can
 * send the new {@code m.room.member} events into joined rooms (spec: "Events on change of profile information")
 * and make deactivated users leave. Called on the request's thread after the commit; must not throw for a room's
 * failure.
 */
public interface ProfileChanges {
    ProfileChanges NONE = new ProfileChanges() {};

    /** {@code displayName} and {@code avatarUrl} as they are now (null: unset). */
    default void profileChanged(UserId user, String displayName, String avatarUrl) {}

    default void deactivated(UserId user) {}
}
