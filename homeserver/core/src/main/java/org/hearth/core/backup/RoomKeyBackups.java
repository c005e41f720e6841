package org.hearth.core.backup;

import io.helidon.dbclient.DbExecute;
import jakarta.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.hearth.core.storage.Database;
import org.hearth.spec.e2ee.KeyBackupData;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Server-side key backups (spec: Client-Server API, "Server-side key backups"). Versions are "1", "2", ... per user,
 * never reused; the current version is the newest one not deleted, and only it takes new keys. Every change of a
 * user's backups runs in one transaction holding that user's row lock, so concurrent uploads neither lose keys nor
 * miscount, and a version cannot change while keys are written to it.
 */
public final class RoomKeyBackups {
    // Version IDs are the decimal numbers we hand out; anything else names no backup.
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

    private final Database database;
    private final RoomKeyBackupRepository repository = new RoomKeyBackupRepository();

    public RoomKeyBackups(Database database) {
        this.database = database;
    }

    /** A backup version as {@code GET /room_keys/version} shows it. */
    public record Version(String version, String algorithm, JsonObject authData, String etag, long count) {}

    /** What every key write and delete answers: the version's etag and key count after the change. */
    public record Counts(String etag, long count) {}

    /** Keys by room ID, then by session ID, in the order stored. */
    public record Keys(Map<String, Map<String, KeyBackupData>> rooms) {}

    /** Creates a backup version; it becomes the current one. */
    public String create(UserId user, String algorithm, JsonObject authData) {
        return database.transaction(tx -> {
            lock(tx, user);
            long version = repository.maxVersion(tx, user) + 1;
            repository.insertVersion(tx, user, version, algorithm, authData.toString());
            return Long.toString(version);
        });
    }

    /** The current version; {@code M_NOT_FOUND} when the user has none. */
    public Version current(UserId user) {
        var row = repository.current(database.execute(), user)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No current backup version"));
        return render(user, row);
    }

    /** One version; {@code M_NOT_FOUND} when unknown or deleted. */
    public Version get(UserId user, String version) {
        return render(user, live(database.execute(), user, version));
    }

    /**
     * Replaces the version's {@code auth_data}. {@code M_INVALID_PARAM} when {@code algorithm} differs from the
     * version's; {@code M_NOT_FOUND} for an unknown or deleted version.
     */
    public void update(UserId user, String version, String algorithm, JsonObject authData) {
        database.transaction(tx -> {
            lock(tx, user);
            var row = live(tx, user, version);
            if (!row.algorithm().equals(algorithm)) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "Algorithm does not match the backup's algorithm");
            }
            repository.setAuthData(tx, user, row.version(), authData.toString());
            return null;
        });
    }

    /**
     * Deletes a version and its keys. A version deleted before is deleted again without error (spec "DELETE
     * /room_keys/version/{version}"); {@code M_NOT_FOUND} for one that never existed.
     */
    public void delete(UserId user, String version) {
        database.transaction(tx -> {
            lock(tx, user);
            long v = number(version);
            repository.version(tx, user, v)
                    .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown backup version"));
            repository.deleteKeys(tx, user, v, null, null);
            repository.markDeleted(tx, user, v);
            return null;
        });
    }

    /**
     * Stores keys in the current version, keeping a stored key unless the new one is better
     * ({@link KeyBackupData#replaces}). {@code M_NOT_FOUND} when {@code version} is unknown or deleted;
     * {@link WrongBackupVersion} when it exists but is not the current one. The etag changes when any key does.
     */
    public Counts upload(UserId user, String version, Keys keys) {
        return database.transaction(tx -> {
            lock(tx, user);
            var row = live(tx, user, version);
            var current = repository.current(tx, user).orElseThrow();
            if (current.version() != row.version()) {
                throw new WrongBackupVersion(Long.toString(current.version()));
            }
            boolean changed = false;
            for (var room : keys.rooms().entrySet()) {
                for (var session : room.getValue().entrySet()) {
                    KeyBackupData offered = session.getValue();
                    var stored = repository.key(tx, user, row.version(), room.getKey(), session.getKey());
                    if (stored.isEmpty()) {
                        repository.insertKey(tx, user, row.version(), room.getKey(), session.getKey(), offered);
                        changed = true;
                    } else if (offered.replaces(stored.get())) {
                        repository.updateKey(tx, user, row.version(), room.getKey(), session.getKey(), offered);
                        changed = true;
                    }
                }
            }
            long etag = row.etag();
            if (changed) {
                etag++;
                repository.setEtag(tx, user, row.version(), etag);
            }
            return new Counts(Long.toString(etag), repository.count(tx, user, row.version()));
        });
    }

    /**
     * The keys of a version (any live version, not only the current one): all, of one room ({@code room} given), or
     * of one session ({@code session} too). {@code M_NOT_FOUND} for an unknown or deleted version.
     */
    public Keys keys(UserId user, String version, String room, String session) {
        var db = database.execute();
        var row = live(db, user, version);
        Map<String, Map<String, KeyBackupData>> rooms = new LinkedHashMap<>();
        repository.keys(db, user, row.version(), room, session,
                k -> rooms.computeIfAbsent(k.roomId(), r -> new LinkedHashMap<>()).put(k.sessionId(), k.key()));
        return new Keys(rooms);
    }

    /**
     * Deletes keys of a version (any live version): all, of one room, or one session. {@code M_NOT_FOUND} for an
     * unknown or deleted version. The etag changes when a key was deleted.
     */
    public Counts deleteKeys(UserId user, String version, String room, String session) {
        return database.transaction(tx -> {
            lock(tx, user);
            var row = live(tx, user, version);
            long etag = row.etag();
            if (repository.deleteKeys(tx, user, row.version(), room, session) > 0) {
                etag++;
                repository.setEtag(tx, user, row.version(), etag);
            }
            return new Counts(Long.toString(etag), repository.count(tx, user, row.version()));
        });
    }

    private void lock(DbExecute tx, UserId user) {
        if (!repository.lockUser(tx, user)) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown user " + user.value());
        }
    }

    private RoomKeyBackupRepository.VersionRow live(DbExecute db, UserId user, String version) {
        return repository.version(db, user, number(version)).filter(r -> !r.deleted())
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown backup version"));
    }

    private static long number(String version) {
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown backup version");
        }
        return Long.parseLong(version);
    }

    private Version render(UserId user, RoomKeyBackupRepository.VersionRow row) {
        return new Version(Long.toString(row.version()), row.algorithm(), Json.parseObject(row.authData()),
                Long.toString(row.etag()), repository.count(database.execute(), user, row.version()));
    }
}
