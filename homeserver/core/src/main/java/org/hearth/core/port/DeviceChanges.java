package org.hearth.core.port;

import org.hearth.spec.id.UserId;

/**
 * Told after a local user's device list changed (a device added by login or registration, renamed, or deleted by
 * logout, deletion, a password change or deactivation), committed: the sync streams implement it to send
 * {@code device_lists.changed} (spec: "Tracking the device list for a user") and federation to send
 * {@code m.device_list_update}. Called on the request's thread after the commit; must not throw.
 */
public interface DeviceChanges {
    DeviceChanges NONE = user -> { };

    void devicesChanged(UserId user);
}
