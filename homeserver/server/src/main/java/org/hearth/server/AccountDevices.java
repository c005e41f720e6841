package org.hearth.server;

import java.util.LinkedHashSet;
import java.util.Set;
import org.hearth.core.account.Device;
import org.hearth.core.account.DeviceHandler;
import org.hearth.core.account.Session;
import org.hearth.core.sync.DeviceDirectory;
import org.hearth.spec.id.UserId;

/** The to-device stream's {@link DeviceDirectory} over the accounts' devices. */
final class AccountDevices implements DeviceDirectory {
    private final DeviceHandler devices;

    AccountDevices(DeviceHandler devices) {
        this.devices = devices;
    }

    @Override
    public Set<String> devices(UserId user) {
        Set<String> ids = new LinkedHashSet<>();
        // A server-side lookup, not a user's request: the session only names whose devices to list.
        for (Device d : devices.list(new Session(user, null, false, false, null, null))) {
            ids.add(d.deviceId());
        }
        return ids;
    }
}
