package org.hearth.server.http;

import org.hearth.spec.id.UserId;

/** Who made an authenticated Client-Server request: the user, the device its access token is bound to, admin rights. */
public record Requester(UserId userId, String deviceId, boolean admin) {}
