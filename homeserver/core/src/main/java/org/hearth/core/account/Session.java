package org.hearth.core.account;

import org.hearth.spec.id.UserId;

/** What an access token grants: a user acting through one device; {@code expiresTs} null when it never expires. */
public record Session(UserId userId, String deviceId, boolean admin, boolean deactivated, Long expiresTs, String tokenHash) {}
