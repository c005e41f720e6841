package org.hearth.core.profile;

import java.util.function.Supplier;
import org.hearth.core.port.ProfileChanges;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/** Spec "Profiles": local users' from the database, other servers' asked over federation once it is wired. */
public final class ProfileHandler {
    // Synapse's limits, so clients meet the same bounds everywhere.
    public static final int MAX_DISPLAYNAME_LENGTH = 256;
    public static final int MAX_AVATAR_URL_LENGTH = 1000;

    private final Database database;
    private final ServerName serverName;
    private final Supplier<ProfileChanges> changes;
    private final ProfileRepository profiles = new ProfileRepository();

    public ProfileHandler(Database database, ServerName serverName, Supplier<ProfileChanges> changes) {
        this.database = database;
        this.serverName = serverName;
        this.changes = changes;
    }

    private volatile org.hearth.core.port.RemoteQueries remote = org.hearth.core.port.RemoteQueries.NONE;

    public void useRemote(org.hearth.core.port.RemoteQueries remote) {
        this.remote = remote;
    }

    /** {@code M_NOT_FOUND} for users this server does not have, and remote users their server does not know. */
    public Profile get(UserId user) {
        if (!user.domain().equals(serverName.value())) {
            return remote.profile(user);
        }
        return profiles.find(database.execute(), user)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Profile not found"));
    }

    /** Only the user may change their own profile ({@code M_FORBIDDEN}); null or empty clears the name. */
    public void setDisplayName(UserId requester, UserId target, String displayName) {
        checkOwn(requester, target);
        if (displayName != null && displayName.length() > MAX_DISPLAYNAME_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "displayname is over " + MAX_DISPLAYNAME_LENGTH + " characters");
        }
        String name = displayName == null || displayName.isEmpty() ? null : displayName;
        Profile after = database.transaction(tx -> {
            profiles.setDisplayName(tx, target, name);
            return profiles.find(tx, target).orElseThrow();
        });
        changes.get().profileChanged(target, after.displayName(), after.avatarUrl());
    }

    /** Only the user may change their own avatar ({@code M_FORBIDDEN}); null or empty clears it. */
    public void setAvatarUrl(UserId requester, UserId target, String avatarUrl) {
        checkOwn(requester, target);
        if (avatarUrl != null && avatarUrl.length() > MAX_AVATAR_URL_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "avatar_url is over " + MAX_AVATAR_URL_LENGTH + " characters");
        }
        String url = avatarUrl == null || avatarUrl.isEmpty() ? null : avatarUrl;
        Profile after = database.transaction(tx -> {
            profiles.setAvatarUrl(tx, target, url);
            return profiles.find(tx, target).orElseThrow();
        });
        changes.get().profileChanged(target, after.displayName(), after.avatarUrl());
    }

    private void checkOwn(UserId requester, UserId target) {
        if (!requester.equals(target)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You may only change your own profile");
        }
    }
}
