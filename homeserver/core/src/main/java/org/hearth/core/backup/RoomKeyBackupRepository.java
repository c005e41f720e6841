package org.hearth.core.backup;

import org.hearth.core.storage.Rows;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.Optional;
import java.util.function.Consumer;
import org.hearth.spec.e2ee.KeyBackupData;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** SQL of the key backups: version rows and key rows. */
final class RoomKeyBackupRepository {

    record VersionRow(long version, String algorithm, String authData, long etag, boolean deleted) {}

    record KeyRow(String roomId, String sessionId, KeyBackupData key) {}

    /** Serializes every change to one user's backups: the user's own row is the lock. */
    boolean lockUser(DbExecute tx, UserId user) {
        return tx.createNamedGet("backup-lock-user").addParam("user_id", user.value()).execute().isPresent();
    }

    long maxVersion(DbExecute tx, UserId user) {
        return tx.createNamedGet("backup-max-version").addParam("user_id", user.value()).execute()
                .map(r -> Rows.nullableLong(r, "version")).map(v -> v == null ? 0L : v).orElse(0L);
    }

    void insertVersion(DbExecute tx, UserId user, long version, String algorithm, String authData) {
        tx.createNamedInsert("backup-version-insert").addParam("user_id", user.value()).addParam("version", version)
                .addParam("algorithm", algorithm).addParam("auth_data", authData).execute();
    }

    Optional<VersionRow> current(DbExecute db, UserId user) {
        return db.createNamedGet("backup-current").addParam("user_id", user.value()).execute()
                .map(r -> version(r, false));
    }

    /** The version's row, deleted ones included. */
    Optional<VersionRow> version(DbExecute db, UserId user, long version) {
        return db.createNamedGet("backup-version-get").addParam("user_id", user.value()).addParam("version", version)
                .execute().map(r -> version(r, Rows.bool(r, "deleted")));
    }

    private static VersionRow version(DbRow r, boolean deleted) {
        return new VersionRow(Rows.longValue(r, "version"), Rows.string(r, "algorithm"), Rows.string(r, "auth_data"),
                Rows.longValue(r, "etag"), deleted);
    }

    void setAuthData(DbExecute tx, UserId user, long version, String authData) {
        tx.createNamedUpdate("backup-version-set-auth-data").addParam("user_id", user.value())
                .addParam("version", version).addParam("auth_data", authData).execute();
    }

    void setEtag(DbExecute tx, UserId user, long version, long etag) {
        tx.createNamedUpdate("backup-version-set-etag").addParam("user_id", user.value())
                .addParam("version", version).addParam("etag", etag).execute();
    }

    void markDeleted(DbExecute tx, UserId user, long version) {
        tx.createNamedUpdate("backup-version-mark-deleted").addParam("user_id", user.value())
                .addParam("version", version).execute();
    }

    long count(DbExecute db, UserId user, long version) {
        return db.createNamedGet("backup-count").addParam("user_id", user.value()).addParam("version", version)
                .execute().map(r -> Rows.longValue(r, "n")).orElse(0L);
    }

    Optional<KeyBackupData> key(DbExecute tx, UserId user, long version, String room, String session) {
        return tx.createNamedGet("backup-key-get").addParam("user_id", user.value()).addParam("version", version)
                .addParam("room_id", room).addParam("session_id", session).execute().map(RoomKeyBackupRepository::key);
    }

    void insertKey(DbExecute tx, UserId user, long version, String room, String session, KeyBackupData key) {
        tx.createNamedInsert("backup-key-insert").addParam("user_id", user.value()).addParam("version", version)
                .addParam("room_id", room).addParam("session_id", session)
                .addParam("first_message_index", key.firstMessageIndex()).addParam("forwarded_count", key.forwardedCount())
                .addParam("is_verified", key.isVerified()).addParam("session_data", key.sessionData().toString())
                .execute();
    }

    void updateKey(DbExecute tx, UserId user, long version, String room, String session, KeyBackupData key) {
        tx.createNamedUpdate("backup-key-update").addParam("user_id", user.value()).addParam("version", version)
                .addParam("room_id", room).addParam("session_id", session)
                .addParam("first_message_index", key.firstMessageIndex()).addParam("forwarded_count", key.forwardedCount())
                .addParam("is_verified", key.isVerified()).addParam("session_data", key.sessionData().toString())
                .execute();
    }

    /** The keys of the version, of one room when {@code room} is given, of one session when {@code session} is too. */
    void keys(DbExecute db, UserId user, long version, String room, String session, Consumer<KeyRow> each) {
        var query = db.createNamedQuery(room == null ? "backup-keys-all" : session == null ? "backup-keys-room" : "backup-keys-session")
                .addParam("user_id", user.value()).addParam("version", version);
        if (room != null) {
            query.addParam("room_id", room);
        }
        if (session != null) {
            query.addParam("session_id", session);
        }
        try (var rows = query.execute()) {
            rows.forEach(r -> each.accept(new KeyRow(Rows.string(r, "room_id"), Rows.string(r, "session_id"), key(r))));
        }
    }

    long deleteKeys(DbExecute tx, UserId user, long version, String room, String session) {
        var delete = tx.createNamedDelete(room == null ? "backup-delete-all" : session == null ? "backup-delete-room" : "backup-delete-session")
                .addParam("user_id", user.value()).addParam("version", version);
        if (room != null) {
            delete.addParam("room_id", room);
        }
        if (session != null) {
            delete.addParam("session_id", session);
        }
        return delete.execute();
    }

    private static KeyBackupData key(DbRow r) {
        return new KeyBackupData(Rows.longValue(r, "first_message_index"), Rows.longValue(r, "forwarded_count"),
                Rows.bool(r, "is_verified"), Json.parseObject(Rows.string(r, "session_data")));
    }
}
