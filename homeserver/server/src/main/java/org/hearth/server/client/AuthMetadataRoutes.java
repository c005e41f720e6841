package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.hearth.server.http.MatrixErrors;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Spec "Authentication API discovery": Hearth offers the legacy API (/login, UIA), not OAuth 2.0, so
 * {@code GET /auth_metadata} answers 404 {@code M_UNRECOGNIZED} as the spec prescribes; mounted at /_matrix/client/v1.
 */
public final class AuthMetadataRoutes implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/auth_metadata", this::metadata).any("/auth_metadata", MatrixErrors::wrongMethod);
    }

    private void metadata(ServerRequest req, ServerResponse res) {
        throw new MatrixException(ErrorCode.UNRECOGNIZED, "OAuth 2.0 is not supported: legacy authentication is in use on this homeserver");
    }
}
