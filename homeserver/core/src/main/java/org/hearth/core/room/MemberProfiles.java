package org.hearth.core.room;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.function.Function;
import org.hearth.core.port.ProfileChanges;
import org.hearth.core.profile.Profile;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Profiles in member events (spec: "Events on change of profile information"): a join carries the user's display
 * name and avatar, a profile change sends a new join event into every joined room, and deactivation leaves every
 * room.
 */
public final class MemberProfiles implements ProfileChanges {
    private static final Logger LOG = System.getLogger(MemberProfiles.class.getName());
    private final Rooms rooms;
    private volatile Function<UserId, Optional<Profile>> profiles = user -> Optional.empty();

    public MemberProfiles(Rooms rooms) {
        this.rooms = rooms;
    }

    /** Where profiles come from (the accounts area's ProfileHandler); none until set. */
    public void useProfiles(Function<UserId, Optional<Profile>> lookup) {
        this.profiles = lookup;
    }

    /** {@code m.room.member} content for {@code membership}, with the user's profile on a join. */
    public JsonObject content(UserId user, String membership, String reason) {
        JsonObjectBuilder content = Json.objectBuilder().add("membership", membership);
        if (membership.equals(Membership.JOIN)) {
            profiles.apply(user).ifPresent(p -> addProfile(content, p.displayName(), p.avatarUrl()));
        }
        if (reason != null) {
            content.add("reason", reason);
        }
        return content.build();
    }

    private static void addProfile(JsonObjectBuilder content, String displayName, String avatarUrl) {
        if (displayName != null && !displayName.isEmpty()) {
            content.add("displayname", displayName);
        }
        if (avatarUrl != null && !avatarUrl.isEmpty()) {
            content.add("avatar_url", avatarUrl);
        }
    }

    @Override
    public void profileChanged(UserId user, String displayName, String avatarUrl) {
        for (Membership m : rooms.reader().memberships(user)) {
            if (!m.membership().equals(Membership.JOIN)) {
                continue;
            }
            JsonObjectBuilder content = Json.objectBuilder().add("membership", Membership.JOIN);
            addProfile(content, displayName, avatarUrl);
            sendQuietly(RoomId.parse(m.roomId()), user, content.build());
        }
    }

    @Override
    public void deactivated(UserId user) {
        for (Membership m : rooms.reader().memberships(user)) {
            if (m.membership().equals(Membership.LEAVE) || m.membership().equals(Membership.BAN)) {
                continue;
            }
            sendQuietly(RoomId.parse(m.roomId()), user, Json.objectBuilder().add("membership", Membership.LEAVE).build());
        }
    }

    // One room's refusal (e.g. power levels forbid it) must not stop the others.
    private void sendQuietly(RoomId room, UserId user, JsonObject content) {
        try {
            rooms.engine().send(room, user, EventDraft.state("m.room.member", user.value(), content), null);
        } catch (MatrixException e) {
            LOG.log(Level.INFO, "member event for " + user + " in " + room + " refused: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "member event for " + user + " in " + room + " failed", e);
        }
    }
}
