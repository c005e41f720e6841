package org.hearth.core.account;

import org.hearth.spec.id.UserId;

/** A local user's account row; {@code passwordHash} is null when password login is impossible. */
public record Account(UserId userId, String passwordHash, long createdTs, boolean admin, boolean deactivated, String userType) {}
