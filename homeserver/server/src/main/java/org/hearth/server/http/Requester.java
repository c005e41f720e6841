package org.hearth.server.http;

import org.hearth.core.appservice.AppService;
import org.hearth.spec.id.UserId;

/**
 * Who made an authenticated Client-Server request: the user, the device its access token is bound to, admin rights,
 * and the application service acting as that user when the request came with an {@code as_token} (else null).
 */
public record Requester(UserId userId, String deviceId, boolean admin, AppService appService) {
    public Requester(UserId userId, String deviceId, boolean admin) {
        this(userId, deviceId, admin, null);
    }

    /** Rate limits do not apply to an appservice registered with {@code rate_limited: false}. */
    public boolean exemptFromRateLimits() {
        return appService != null && !appService.rateLimited();
    }
}
