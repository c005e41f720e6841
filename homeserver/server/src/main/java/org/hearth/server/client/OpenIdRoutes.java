package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.hearth.core.account.OpenIdTokens;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "OpenID" ({@code POST /user/{userId}/openid/request_token}); mounted at v3 and r0. */
public final class OpenIdRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody body;
    private final OpenIdTokens tokens;
    private final String serverName;

    public OpenIdRoutes(Authenticator auth, JsonBody body, OpenIdTokens tokens, String serverName) {
        this.auth = auth;
        this.body = body;
        this.tokens = tokens;
        this.serverName = serverName;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/user/{userId}/openid/request_token", this::requestToken)
                .any("/user/{userId}/openid/request_token", MatrixErrors::wrongMethod);
    }

    private void requestToken(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        body.read(req); // spec: an empty object, reserved for future expansion
        if (!who.userId().value().equals(req.path().pathParameters().get("userId"))) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Cannot request tokens for other users");
        }
        OpenIdTokens.Issued issued = tokens.issue(who.userId());
        Reply.json(res, 200, Json.objectBuilder().add("access_token", issued.accessToken())
                .add("token_type", "Bearer").add("matrix_server_name", serverName)
                .add("expires_in", issued.expiresInSeconds()).build());
    }
}
