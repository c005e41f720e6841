package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import org.hearth.core.account.AccountHandler;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.json.Json;

/** Spec "POST /login/get_token" (login_token.yaml); mounted at /_matrix/client/v1. */
public final class LoginTokenRoutes implements HttpService {
    private final AccountHandler accounts;
    private final TokenAuthenticator auth;
    private final JsonBody json;

    public LoginTokenRoutes(AccountHandler accounts, TokenAuthenticator auth, JsonBody json) {
        this.accounts = accounts;
        this.auth = auth;
        this.json = json;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/login/get_token", this::generate).any("/login/get_token", MatrixErrors::wrongMethod);
    }

    private void generate(ServerRequest req, ServerResponse res) {
        var session = auth.session(req);
        JsonObject body = json.read(req);
        var issued = accounts.generateLoginToken(session, RequestBodies.optionalObject(body, "auth").orElse(null));
        Reply.json(res, 200, Json.objectBuilder()
                .add("login_token", issued.token())
                .add("expires_in_ms", issued.expiresInMs())
                .build());
    }
}
