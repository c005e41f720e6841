package org.hearth.core.profile;

import io.helidon.dbclient.DbExecute;
import jakarta.json.JsonValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.storage.Rows;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

final class ProfileRepository {
    Optional<Profile> find(DbExecute db, UserId user) {
        return db.createNamedGet("profile-get").addParam("user_id", user.value()).execute().map(ProfileRepository::profile);
    }

    /** The member fields, with the user's row locked so size checks and writes of one profile are serialized. */
    Optional<Profile> lock(DbExecute tx, UserId user) {
        return tx.createNamedGet("profile-lock").addParam("user_id", user.value()).execute().map(ProfileRepository::profile);
    }

    void setDisplayName(DbExecute tx, UserId user, String name) {
        tx.createNamedUpdate("profile-set-displayname").addParam("user_id", user.value()).addParam("displayname", name).execute();
    }

    void setAvatarUrl(DbExecute tx, UserId user, String url) {
        tx.createNamedUpdate("profile-set-avatar-url").addParam("user_id", user.value()).addParam("avatar_url", url).execute();
    }

    /** Custom fields by key, in key order. */
    Map<String, JsonValue> fields(DbExecute db, UserId user) {
        Map<String, JsonValue> fields = new LinkedHashMap<>();
        db.createNamedQuery("profile-fields-list").addParam("user_id", user.value()).execute()
                .forEach(row -> fields.put(Rows.str(row, "field_key"), Json.parse(Rows.str(row, "value_json"))));
        return fields;
    }

    Optional<JsonValue> field(DbExecute db, UserId user, String key) {
        return db.createNamedGet("profile-field-get").addParam("user_id", user.value()).addParam("field_key", key).execute()
                .map(row -> Json.parse(Rows.str(row, "value_json")));
    }

    void setField(DbExecute tx, UserId user, String key, JsonValue value) {
        tx.createNamedInsert("profile-field-set").addParam("user_id", user.value()).addParam("field_key", key)
                .addParam("value_json", CanonicalJson.encodeLenient(value)).execute();
    }

    void deleteField(DbExecute tx, UserId user, String key) {
        tx.createNamedDelete("profile-field-delete").addParam("user_id", user.value()).addParam("field_key", key).execute();
    }

    void deleteFields(DbExecute tx, UserId user) {
        tx.createNamedDelete("profile-fields-delete-all").addParam("user_id", user.value()).execute();
    }

    private static Profile profile(io.helidon.dbclient.DbRow row) {
        return new Profile(row.column("displayname").asOptional().map(Object::toString).orElse(null),
                row.column("avatar_url").asOptional().map(Object::toString).orElse(null));
    }
}
