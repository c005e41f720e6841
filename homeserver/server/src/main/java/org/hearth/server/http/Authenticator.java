package org.hearth.server.http;

import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/**
 * Finds the requester of a Client-Server request from its access token (spec: "Client authentication": the
 * {@code Authorization: Bearer} header, or the deprecated {@code access_token} query parameter).
 */
public interface Authenticator {
    /** The requester; {@code M_MISSING_TOKEN} without a token, {@code M_UNKNOWN_TOKEN} for an unknown or expired one. */
    Requester require(ServerRequest request);

    /** The requester when a token is given (and valid), empty when none is; an invalid token still fails. */
    Optional<Requester> optional(ServerRequest request);
}
