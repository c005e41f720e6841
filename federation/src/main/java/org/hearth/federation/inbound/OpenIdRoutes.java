package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.hearth.core.account.OpenIdTokens;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server API, "OpenID": {@code GET /openid/userinfo}, whose an OpenID token is. Asked by third parties,
 * not servers, so the request is not signed; mounted at /_matrix/federation/v1.
 */
public final class OpenIdRoutes implements HttpService {
    private final OpenIdTokens tokens;

    public OpenIdRoutes(OpenIdTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/openid/userinfo", this::userInfo)
                .any("/openid/userinfo", FederationJson::wrongMethod);
    }

    private void userInfo(ServerRequest req, ServerResponse res) {
        String token = req.query().first("access_token")
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "access_token is required"));
        var user = tokens.user(token).orElseThrow(() -> new MatrixException(ErrorCode.UNKNOWN_TOKEN,
                "Access token unknown or expired"));
        FederationJson.reply(res, Json.objectBuilder().add("sub", user.value()).build());
    }
}
