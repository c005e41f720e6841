package org.hearth.server;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.sync.DeviceDirectory;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;

/** Until the accounts branch's token authenticator is merged: no token is known, so every request is refused. */
final class NoAccounts implements Authenticator, DeviceDirectory {
    @Override
    public Set<String> devices(UserId user) {
        return Set.of();
    }

    @Override
    public Requester require(ServerRequest request) {
        return optional(request).orElseThrow(() -> new MatrixException(ErrorCode.MISSING_TOKEN, "Missing access token"));
    }

    @Override
    public Optional<Requester> optional(ServerRequest request) {
        if (request.headers().contains(HeaderNames.AUTHORIZATION) || request.query().contains("access_token")) {
            throw new MatrixException(ErrorCode.UNKNOWN_TOKEN, "Unknown access token");
        }
        return Optional.empty();
    }
}
