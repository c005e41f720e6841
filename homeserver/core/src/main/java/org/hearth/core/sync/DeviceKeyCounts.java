package org.hearth.core.sync;

import java.util.List;
import java.util.Map;
import org.hearth.spec.id.UserId;

/**
 * Port: the end-to-end key store's counts for one device, shown by /sync as {@code device_one_time_keys_count} and
 * {@code device_unused_fallback_key_types} (spec: "Extensions to /sync").
 */
public interface DeviceKeyCounts {
    DeviceKeyCounts NONE = new DeviceKeyCounts() {
        @Override
        public Map<String, Long> oneTimeKeyCounts(UserId user, String deviceId) {
            return Map.of();
        }

        @Override
        public List<String> unusedFallbackKeyTypes(UserId user, String deviceId) {
            return List.of();
        }
    };

    /** Algorithm → unclaimed one-time keys of the device. */
    Map<String, Long> oneTimeKeyCounts(UserId user, String deviceId);

    /** Algorithms whose fallback key no /keys/claim has handed out yet. */
    List<String> unusedFallbackKeyTypes(UserId user, String deviceId);
}
