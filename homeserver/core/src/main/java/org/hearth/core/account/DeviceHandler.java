package org.hearth.core.account;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;

/** Spec "Device management": a user's own devices. */
public final class DeviceHandler {
    private final Database database;
    private final AccessTokens tokens;
    private final UserInteractiveAuth uia;
    private final Supplier<DeviceChanges> changes;
    private final DeviceRepository devices = new DeviceRepository();

    public DeviceHandler(Database database, AccessTokens tokens, UserInteractiveAuth uia, Supplier<DeviceChanges> changes) {
        this.database = database;
        this.tokens = tokens;
        this.uia = uia;
        this.changes = changes;
    }

    public List<Device> list(Session session) {
        return devices.list(database.execute(), session.userId());
    }

    public boolean exists(UserId user, String deviceId) {
        return devices.find(database.execute(), user, deviceId).isPresent();
    }

    /**
     * Spec "PUT /devices/{deviceId}" by an application service (v1.17, MSC4190): creates the device when the user
     * does not have it (true), else renames it (false). The device has no access token: the appservice acts as it
     * through {@code device_id} assertion.
     */
    public boolean createOrRename(Session session, String deviceId, String displayName) {
        if (exists(session.userId(), deviceId)) {
            rename(session, deviceId, displayName);
            return false;
        }
        AccountHandler.checkDeviceId(deviceId);
        if (displayName != null && displayName.length() > Device.MAX_DISPLAY_NAME_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM,
                    "display_name is over " + Device.MAX_DISPLAY_NAME_LENGTH + " characters");
        }
        database.transaction(tx -> {
            devices.upsert(tx, session.userId(), deviceId, displayName, System.currentTimeMillis(), null);
            return null;
        });
        changes.get().devicesChanged(session.userId());
        return true;
    }

    /** Deletion by an application service: no UIA (spec v1.17); otherwise as {@link #delete}. */
    public void deleteByAppService(Session session, List<String> deviceIds, boolean single) {
        if (single && devices.find(database.execute(), session.userId(), deviceIds.getFirst()).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown device");
        }
        List<String> removed = database.transaction(tx -> {
            List<String> hashes = new ArrayList<>();
            for (String id : deviceIds) {
                hashes.addAll(devices.delete(tx, session.userId(), id));
            }
            return hashes;
        });
        tokens.forget(removed);
        changes.get().devicesChanged(session.userId());
    }

    /** {@code M_NOT_FOUND} for a device the user does not have. */
    public Device get(Session session, String deviceId) {
        return devices.find(database.execute(), session.userId(), deviceId)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown device"));
    }

    /** {@code M_NOT_FOUND} for a device the user does not have. */
    public void rename(Session session, String deviceId, String displayName) {
        if (displayName != null && displayName.length() > Device.MAX_DISPLAY_NAME_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM,
                    "display_name is over " + Device.MAX_DISPLAY_NAME_LENGTH + " characters");
        }
        if (!devices.rename(database.execute(), session.userId(), deviceId, displayName)
                && devices.find(database.execute(), session.userId(), deviceId).isEmpty()) {
            // An unchanged name also updates 0 rows on MariaDB: only a missing device is an error.
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown device");
        }
        changes.get().devicesChanged(session.userId());
    }

    /**
     * Spec "DELETE /devices/{deviceId}" and "POST /delete_devices" (UIA {@code m.login.password}). Unknown device
     * IDs are ignored, as the spec's delete_devices allows; a single unknown device is {@code M_NOT_FOUND}.
     */
    public void delete(Session session, List<String> deviceIds, boolean single, JsonObject auth) {
        if (single && devices.find(database.execute(), session.userId(), deviceIds.getFirst()).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown device");
        }
        var done = uia.authenticate("delete_devices", session.userId(), UiaFlows.PASSWORD_ONLY, auth);
        List<String> removed = database.transaction(tx -> {
            List<String> hashes = new ArrayList<>();
            for (String id : deviceIds) {
                hashes.addAll(devices.delete(tx, session.userId(), id));
            }
            uia.finish(tx, done);
            return hashes;
        });
        tokens.forget(removed);
        changes.get().devicesChanged(session.userId());
    }
}
