package org.hearth.core.sync;

import java.util.Set;
import org.hearth.spec.id.UserId;

/** Port: a local user's device IDs, answered by the accounts side; for to-device messages sent to {@code *}. */
public interface DeviceDirectory {
    Set<String> devices(UserId user);
}
