package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.util.Optional;
import org.hearth.core.account.AccountHandler;
import org.hearth.core.account.LoginResult;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec "Account registration and management": {@code POST /register}, {@code GET /register/available}; v3 and r0. */
public final class RegistrationRoutes implements HttpService {
    private final AccountHandler accounts;
    private final JsonBody json;

    public RegistrationRoutes(AccountHandler accounts, JsonBody json) {
        this.accounts = accounts;
        this.json = json;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/register", this::register)
                .any("/register", MatrixErrors::wrongMethod)
                .get("/register/available", this::available)
                .any("/register/available", MatrixErrors::wrongMethod);
    }

    private void register(ServerRequest req, ServerResponse res) {
        String kind = req.query().first("kind").asOptional().orElse("user");
        switch (kind) {
            case "user" -> { }
            case "guest" -> throw new MatrixException(ErrorCode.GUEST_ACCESS_FORBIDDEN, "Guest access is disabled");
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, "kind must be 'user' or 'guest'");
        }
        JsonObject body = json.read(req);
        var registration = new AccountHandler.Registration(
                Json.optionalString(body, "username"),
                Json.optionalString(body, "password"),
                Json.optionalString(body, "device_id"),
                Json.optionalString(body, "initial_device_display_name"),
                RequestBodies.optionalBoolean(body, "inhibit_login", false),
                RequestBodies.optionalBoolean(body, "refresh_token", false));
        Optional<JsonObject> auth = RequestBodies.optionalObject(body, "auth");
        LoginResult result = accounts.register(registration, auth.orElse(null), TokenAuthenticator.ip(req));
        Reply.json(res, 200, LoginRoutes.render(result, accounts.serverName().value()));
    }

    private void available(ServerRequest req, ServerResponse res) {
        String username = req.query().first("username").asOptional()
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "missing 'username'"));
        accounts.checkAvailable(username);
        Reply.json(res, 200, Json.objectBuilder().add("available", true).build());
    }
}
