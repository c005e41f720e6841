package org.hearth.core.profile;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Map;
import java.util.function.Supplier;
import org.hearth.core.port.ProfileChanges;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.profile.ProfileFields;

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
        setField(requester, target, ProfileFields.DISPLAYNAME, displayName == null ? JsonValue.NULL : Json.string(displayName));
    }

    /** Only the user may change their own avatar ({@code M_FORBIDDEN}); null or empty clears it. */
    public void setAvatarUrl(UserId requester, UserId target, String avatarUrl) {
        setField(requester, target, ProfileFields.AVATAR_URL, avatarUrl == null ? JsonValue.NULL : Json.string(avatarUrl));
    }

    /**
     * Spec v1.16 "GET /profile/{userId}": displayname, avatar_url and every custom field. Remote users get what
     * {@link #get} knows of them.
     */
    public JsonObject all(UserId user) {
        if (!user.domain().equals(serverName.value())) {
            return render(get(user), Map.of());
        }
        var db = database.execute();
        Profile p = profiles.find(db, user).orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Profile not found"));
        return render(p, profiles.fields(db, user));
    }

    /** Spec v1.16 "GET /profile/{userId}/{keyName}": {@code M_NOT_FOUND} when the user or the field does not exist. */
    public JsonValue field(UserId user, String key) {
        ProfileFields.checkKey(key);
        JsonValue value = user.domain().equals(serverName.value()) && !ProfileFields.isMemberField(key)
                ? profiles.field(database.execute(), user, key).orElse(null)
                : all(user).get(key);
        if (value == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No " + key + " in this profile");
        }
        return value;
    }

    /**
     * Spec v1.16 "PUT /profile/{userId}/{keyName}": own profile only, the whole profile under 64 KiB. displayname and
     * avatar_url changes reach the user's rooms (null or empty clears them); custom fields may hold any JSON.
     */
    public void setField(UserId requester, UserId target, String key, JsonValue value) {
        checkOwn(requester, target);
        ProfileFields.checkKey(key);
        ProfileFields.checkValue(key, value);
        String text = value instanceof JsonString s && !s.getString().isEmpty() ? s.getString() : null;
        if (key.equals(ProfileFields.DISPLAYNAME) && text != null && text.length() > MAX_DISPLAYNAME_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "displayname is over " + MAX_DISPLAYNAME_LENGTH + " characters");
        }
        if (key.equals(ProfileFields.AVATAR_URL) && text != null && text.length() > MAX_AVATAR_URL_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "avatar_url is over " + MAX_AVATAR_URL_LENGTH + " characters");
        }
        Profile after = database.transaction(tx -> {
            Profile before = profiles.lock(tx, target)
                    .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Profile not found"));
            var whole = Json.objectBuilder(render(before, profiles.fields(tx, target)));
            if (ProfileFields.isMemberField(key) && text == null) {
                whole.remove(key);
            } else {
                whole.add(key, value);
            }
            ProfileFields.checkSize(whole.build());
            switch (key) {
                case ProfileFields.DISPLAYNAME -> profiles.setDisplayName(tx, target, text);
                case ProfileFields.AVATAR_URL -> profiles.setAvatarUrl(tx, target, text);
                default -> profiles.setField(tx, target, key, value);
            }
            return profiles.find(tx, target).orElseThrow();
        });
        if (ProfileFields.isMemberField(key)) {
            changes.get().profileChanged(target, after.displayName(), after.avatarUrl());
        }
    }

    /** Spec v1.16 "DELETE /profile/{userId}/{keyName}": own profile only; deleting an absent field succeeds. */
    public void deleteField(UserId requester, UserId target, String key) {
        checkOwn(requester, target);
        ProfileFields.checkKey(key);
        if (ProfileFields.isMemberField(key)) {
            setField(requester, target, key, JsonValue.NULL);
            return;
        }
        database.transaction(tx -> {
            profiles.lock(tx, target).orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Profile not found"));
            profiles.deleteField(tx, target, key);
            return null;
        });
    }

    /** Erasure (deactivation with {@code erase}): the custom fields go with the name and avatar. */
    public static void eraseFields(io.helidon.dbclient.DbExecute tx, UserId user) {
        new ProfileRepository().deleteFields(tx, user);
    }

    private static JsonObject render(Profile p, Map<String, JsonValue> fields) {
        var body = Json.objectBuilder();
        fields.forEach(body::add);
        if (p.displayName() != null) {
            body.add(ProfileFields.DISPLAYNAME, p.displayName());
        }
        if (p.avatarUrl() != null) {
            body.add(ProfileFields.AVATAR_URL, p.avatarUrl());
        }
        return body.build();
    }

    private void checkOwn(UserId requester, UserId target) {
        if (!requester.equals(target)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You may only change your own profile");
        }
    }
}
