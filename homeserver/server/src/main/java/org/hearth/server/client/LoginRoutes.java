package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.account.AccessTokens;
import org.hearth.core.account.AccountHandler;
import org.hearth.core.account.LoginIdentifiers;
import org.hearth.core.account.LoginResult;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Spec "Login", "Refreshing access tokens", "Logout": {@code /login}, {@code /refresh} (v3 only: it is new in
 * v1.3), {@code /logout}, {@code /logout/all}.
 */
public final class LoginRoutes implements HttpService {
    static final String PASSWORD = "m.login.password";
    static final String TOKEN = "m.login.token";

    private final AccountHandler accounts;
    private final AccessTokens tokens;
    private final TokenAuthenticator auth;
    private final JsonBody json;
    private final boolean legacyR0;

    public LoginRoutes(AccountHandler accounts, AccessTokens tokens, TokenAuthenticator auth, JsonBody json, boolean legacyR0) {
        this.accounts = accounts;
        this.tokens = tokens;
        this.auth = auth;
        this.json = json;
        this.legacyR0 = legacyR0;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/login", this::flows)
                .post("/login", this::login)
                .any("/login", MatrixErrors::wrongMethod)
                .post("/logout", this::logout)
                .any("/logout", MatrixErrors::wrongMethod)
                .post("/logout/all", this::logoutAll)
                .any("/logout/all", MatrixErrors::wrongMethod);
        if (!legacyR0) {
            rules.post("/refresh", this::refresh).any("/refresh", MatrixErrors::wrongMethod);
        }
    }

    private void flows(ServerRequest req, ServerResponse res) {
        Reply.json(res, 200, Json.objectBuilder()
                .add("flows", Json.arrayBuilder().add(Json.objectBuilder().add("type", PASSWORD))
                        .add(Json.objectBuilder().add("type", TOKEN).add("get_login_token", true))
                        .add(Json.objectBuilder().add("type", RegistrationRoutes.APP_SERVICE)))
                .build());
    }

    private void login(ServerRequest req, ServerResponse res) {
        JsonObject body = json.read(req);
        String type = Json.requiredString(body, "type");
        if (type.equals(RegistrationRoutes.APP_SERVICE)) {
            Reply.json(res, 200, render(loginForAppService(req, body), accounts.serverName().value()));
            return;
        }
        if (type.equals(TOKEN)) {
            var login = new AccountHandler.TokenLogin(Json.requiredString(body, "token"),
                    Json.optionalString(body, "device_id"), Json.optionalString(body, "initial_device_display_name"),
                    RequestBodies.optionalBoolean(body, "refresh_token", false));
            Reply.json(res, 200, render(accounts.login(login, TokenAuthenticator.ip(req)), accounts.serverName().value()));
            return;
        }
        if (!type.equals(PASSWORD)) {
            throw new MatrixException(ErrorCode.UNKNOWN, "Unknown login type " + type);
        }
        var login = new AccountHandler.PasswordLogin(
                LoginIdentifiers.user(body, accounts.serverName()),
                Json.requiredString(body, "password"),
                Json.optionalString(body, "device_id"),
                Json.optionalString(body, "initial_device_display_name"),
                RequestBodies.optionalBoolean(body, "refresh_token", false));
        Reply.json(res, 200, render(accounts.login(login, TokenAuthenticator.ip(req)), accounts.serverName().value()));
    }

    /** Spec: the {@code as_token} logs in as any user of its namespace; outside it {@code M_EXCLUSIVE} (Synapse: 403). */
    private LoginResult loginForAppService(ServerRequest req, JsonObject body) {
        var as = auth.appService(req);
        if (as.isEmpty()) {
            auth.require(req);
            throw new MatrixException(ErrorCode.UNKNOWN_TOKEN, "Unrecognised application service token");
        }
        var user = LoginIdentifiers.user(body, accounts.serverName());
        if (!as.get().isInterestedInUser(user.value())) {
            throw new MatrixException(ErrorCode.EXCLUSIVE, 403, "Invalid access_token");
        }
        return accounts.loginForAppService(user, Json.optionalString(body, "device_id"),
                Json.optionalString(body, "initial_device_display_name"),
                RequestBodies.optionalBoolean(body, "refresh_token", false), TokenAuthenticator.ip(req));
    }

    private void refresh(ServerRequest req, ServerResponse res) {
        String refreshToken = Json.requiredString(json.read(req), "refresh_token");
        LoginResult result = tokens.refresh(refreshToken);
        Reply.json(res, 200, Json.objectBuilder()
                .add("access_token", result.accessToken())
                .add("refresh_token", result.refreshToken())
                .add("expires_in_ms", result.expiresInMs())
                .build());
    }

    private void logout(ServerRequest req, ServerResponse res) {
        accounts.logout(auth.session(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void logoutAll(ServerRequest req, ServerResponse res) {
        accounts.logoutAll(auth.session(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    /** The answer of /login and /register; only {@code user_id} when login was inhibited. */
    static JsonObject render(LoginResult r, String serverName) {
        var body = Json.objectBuilder().add("user_id", r.userId().value());
        if (r.accessToken() == null) {
            return body.build();
        }
        body.add("access_token", r.accessToken()).add("device_id", r.deviceId()).add("home_server", serverName);
        if (r.refreshToken() != null) {
            body.add("refresh_token", r.refreshToken()).add("expires_in_ms", r.expiresInMs());
        }
        return body.build();
    }
}
