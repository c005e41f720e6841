package org.hearth.core.account;

import org.hearth.core.storage.Rows;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.List;
import java.util.Optional;
import org.hearth.core.keys.KeyRepository;
import org.hearth.spec.id.UserId;

/** Devices and the access and refresh tokens bound to them. */
final class DeviceRepository {
    /** Creates the device, or marks an existing one as seen (a login naming a known device_id reuses it). */
    void upsert(DbExecute tx, UserId user, String deviceId, String displayName, long now, String ip) {
        if (displayName != null && displayName.length() > Device.MAX_DISPLAY_NAME_LENGTH) {
            displayName = displayName.substring(0, Device.MAX_DISPLAY_NAME_LENGTH);
        }
        tx.createNamedInsert("device-upsert")
                .addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("display_name", displayName).addParam("created_ts", now).addParam("ip", ip)
                .execute();
    }

    Optional<Device> find(DbExecute db, UserId user, String deviceId) {
        return db.createNamedGet("device-get").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .execute().map(DeviceRepository::device);
    }

    List<Device> list(DbExecute db, UserId user) {
        return db.createNamedQuery("device-list").addParam("user_id", user.value()).execute()
                .map(DeviceRepository::device).toList();
    }

    boolean rename(DbExecute tx, UserId user, String deviceId, String displayName) {
        return tx.createNamedUpdate("device-set-display-name").addParam("user_id", user.value())
                .addParam("device_id", deviceId).addParam("display_name", displayName).execute() > 0;
    }

    void seen(DbExecute db, UserId user, String deviceId, long now, String ip, String userAgent) {
        db.createNamedUpdate("device-seen").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("ts", now).addParam("ip", ip).addParam("user_agent", userAgent).execute();
    }

    List<String> tokensOf(DbExecute tx, UserId user, String deviceId) {
        return tx.createNamedQuery("token-list-device").addParam("user_id", user.value())
                .addParam("device_id", deviceId).execute().map(r -> Rows.string(r, "token_hash")).toList();
    }

    void deleteTokens(DbExecute tx, UserId user, String deviceId) {
        tx.createNamedDelete("token-delete-device").addParam("user_id", user.value()).addParam("device_id", deviceId).execute();
        tx.createNamedDelete("refresh-delete-device").addParam("user_id", user.value()).addParam("device_id", deviceId).execute();
    }

    /** Deletes the device and its tokens; returns the digests of the access tokens removed (for the cache). */
    List<String> delete(DbExecute tx, UserId user, String deviceId) {
        List<String> hashes = tokensOf(tx, user, deviceId);
        deleteTokens(tx, user, deviceId);
        tx.createNamedDelete("device-delete").addParam("user_id", user.value()).addParam("device_id", deviceId).execute();
        // Spec "POST /logout": "Device keys for the device are deleted alongside the device"; Synapse does the same for DELETE /devices.
        KeyRepository.deleteDevice(tx, user, deviceId);
        return hashes;
    }

    /** Deletes every device of {@code user} except {@code keep} (null: all); returns the access token digests removed. */
    List<String> deleteAllExcept(DbExecute tx, UserId user, String keep) {
        List<String> removed = new java.util.ArrayList<>();
        for (Device d : list(tx, user)) {
            if (!d.deviceId().equals(keep)) {
                removed.addAll(delete(tx, user, d.deviceId()));
            }
        }
        // Tokens whose device row is gone (none expected) go too.
        if (keep == null) {
            removed.addAll(tx.createNamedQuery("token-list-user").addParam("user_id", user.value()).execute()
                    .map(r -> Rows.string(r, "token_hash")).toList());
            tx.createNamedDelete("token-delete-user").addParam("user_id", user.value()).execute();
            tx.createNamedDelete("refresh-delete-user").addParam("user_id", user.value()).execute();
        }
        return removed;
    }

    void insertToken(DbExecute tx, String tokenHash, UserId user, String deviceId, long now, Long expiresTs) {
        tx.createNamedInsert("token-insert").addParam("token_hash", tokenHash).addParam("user_id", user.value())
                .addParam("device_id", deviceId).addParam("created_ts", now).addParam("expires_ts", expiresTs).execute();
    }

    void insertRefreshToken(DbExecute tx, String tokenHash, UserId user, String deviceId, String accessTokenHash, long now) {
        tx.createNamedInsert("refresh-insert").addParam("token_hash", tokenHash).addParam("user_id", user.value())
                .addParam("device_id", deviceId).addParam("access_token_hash", accessTokenHash).addParam("created_ts", now)
                .execute();
    }

    Optional<Session> findToken(DbExecute db, String tokenHash) {
        return db.createNamedGet("token-get").addParam("token_hash", tokenHash).execute().map(r -> new Session(
                UserId.parse(Rows.string(r, "user_id")), Rows.string(r, "device_id"), Rows.bool(r, "admin"),
                Rows.bool(r, "deactivated"), Rows.nullableLong(r, "expires_ts"), tokenHash));
    }

    void deleteToken(DbExecute tx, String tokenHash) {
        tx.createNamedDelete("token-delete").addParam("token_hash", tokenHash).execute();
    }

    record RefreshRow(UserId userId, String deviceId, String accessTokenHash, boolean deactivated) {}

    Optional<RefreshRow> lockRefreshToken(DbExecute tx, String tokenHash) {
        return tx.createNamedGet("refresh-get-for-update").addParam("token_hash", tokenHash).execute().map(r -> new RefreshRow(
                UserId.parse(Rows.string(r, "user_id")), Rows.string(r, "device_id"), Rows.string(r, "access_token_hash"),
                Rows.bool(r, "deactivated")));
    }

    void deleteRefreshToken(DbExecute tx, String tokenHash) {
        tx.createNamedDelete("refresh-delete").addParam("token_hash", tokenHash).execute();
    }

    private static Device device(DbRow r) {
        return new Device(Rows.string(r, "device_id"), Rows.string(r, "display_name"), Rows.nullableLong(r, "last_seen_ts"),
                Rows.string(r, "last_seen_ip"));
    }
}
