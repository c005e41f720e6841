package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.hearth.core.account.RegistrationTokens;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec "GET /_matrix/client/v1/register/m.login.registration_token/validity"; mounted at /_matrix/client/v1. */
public final class RegistrationTokenValidityRoutes implements HttpService {
    private final RegistrationTokens tokens;

    public RegistrationTokenValidityRoutes(RegistrationTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/register/m.login.registration_token/validity", this::validity)
                .any("/register/m.login.registration_token/validity", MatrixErrors::wrongMethod);
    }

    private void validity(ServerRequest req, ServerResponse res) {
        String token = req.query().first("token").asOptional()
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "missing 'token'"));
        Reply.json(res, 200, Json.objectBuilder().add("valid", tokens.valid(token)).build());
    }
}
