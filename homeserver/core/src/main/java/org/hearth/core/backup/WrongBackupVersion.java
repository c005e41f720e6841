package org.hearth.core.backup;

/**
 * Keys were written to a backup version that exists but is not the current one: the answer is 403
 * {@code M_WRONG_ROOM_KEYS_VERSION} with the {@code current_version} (spec "PUT /room_keys/keys").
 */
public final class WrongBackupVersion extends RuntimeException {
    private final String currentVersion;

    public WrongBackupVersion(String currentVersion) {
        super("Wrong backup version; the current one is " + currentVersion, null, false, false);
        this.currentVersion = currentVersion;
    }

    public String currentVersion() {
        return currentVersion;
    }
}
