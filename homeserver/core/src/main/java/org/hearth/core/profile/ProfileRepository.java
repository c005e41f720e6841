package org.hearth.core.profile;

import io.helidon.dbclient.DbExecute;
import java.util.Optional;
import org.hearth.spec.id.UserId;

final class ProfileRepository {
    Optional<Profile> find(DbExecute db, UserId user) {
        return db.createNamedGet("profile-get").addParam("user_id", user.value()).execute().map(row -> new Profile(
                row.column("displayname").asOptional().map(Object::toString).orElse(null),
                row.column("avatar_url").asOptional().map(Object::toString).orElse(null)));
    }

    void setDisplayName(DbExecute tx, UserId user, String name) {
        tx.createNamedUpdate("profile-set-displayname").addParam("user_id", user.value()).addParam("displayname", name).execute();
    }

    void setAvatarUrl(DbExecute tx, UserId user, String url) {
        tx.createNamedUpdate("profile-set-avatar-url").addParam("user_id", user.value()).addParam("avatar_url", url).execute();
    }
}
