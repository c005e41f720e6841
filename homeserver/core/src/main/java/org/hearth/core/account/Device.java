package org.hearth.core.account;

/** Spec "Device management": a client device; the nullable fields are omitted from answers when null. */
public record Device(String deviceId, String displayName, Long lastSeenTs, String lastSeenIp) {}
