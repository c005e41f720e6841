package org.hearth.core.account;

/** Spec "Device management": a client device; the nullable fields are omitted from answers when null. */
public record Device(String deviceId, String displayName, Long lastSeenTs, String lastSeenIp) {
    // Synapse's limit: longer names are refused when set, and cut when given at login.
    public static final int MAX_DISPLAY_NAME_LENGTH = 100;
}
