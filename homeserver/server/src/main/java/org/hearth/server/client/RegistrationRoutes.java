package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.util.Optional;
import org.hearth.core.account.AccountHandler;
import org.hearth.core.account.LoginResult;
import org.hearth.core.account.Usernames;
import org.hearth.core.appservice.AppService;
import org.hearth.core.appservice.AppServices;
import org.hearth.spec.id.UserId;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec "Account registration and management": {@code POST /register}, {@code GET /register/available}; v3 and r0. */
public final class RegistrationRoutes implements HttpService {
    static final String APP_SERVICE = "m.login.application_service";

    private final AccountHandler accounts;
    private final JsonBody json;
    private final TokenAuthenticator auth;
    private final AppServices appServices;

    public RegistrationRoutes(AccountHandler accounts, JsonBody json) {
        this(accounts, json, null, AppServices.NONE);
    }

    public RegistrationRoutes(AccountHandler accounts, JsonBody json, TokenAuthenticator auth, AppServices appServices) {
        this.accounts = accounts;
        this.json = json;
        this.auth = auth;
        this.appServices = appServices;
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
        if (APP_SERVICE.equals(Json.optionalString(body, "type").orElse(null))) {
            Reply.json(res, 200, LoginRoutes.render(registerForAppService(req, registration),
                    accounts.serverName().value()));
            return;
        }
        registration.username().ifPresent(this::checkNotExclusive);
        Optional<JsonObject> auth = RequestBodies.optionalObject(body, "auth");
        LoginResult result = accounts.register(registration, auth.orElse(null), TokenAuthenticator.ip(req));
        Reply.json(res, 200, LoginRoutes.render(result, accounts.serverName().value()));
    }

    /**
     * Spec "Server admin style permissions": no UIA, the username must be in the appservice's users namespace
     * ({@code M_EXCLUSIVE} otherwise, as Synapse); 401 without a valid {@code as_token}.
     */
    private LoginResult registerForAppService(ServerRequest req, AccountHandler.Registration registration) {
        if (auth == null) {
            throw new MatrixException(ErrorCode.UNKNOWN_TOKEN, "Unknown application service token");
        }
        auth.require(req);
        AppService as = auth.appService(req).orElseThrow(
                () -> new MatrixException(ErrorCode.UNKNOWN_TOKEN, "Unrecognised application service token"));
        String username = registration.username().orElseThrow(
                () -> new MatrixException(ErrorCode.MISSING_PARAM, "username is required for m.login.application_service"));
        UserId user = Usernames.forAppService(username, accounts.serverName());
        if (!as.isInterestedInUser(user.value())) {
            throw new MatrixException(ErrorCode.EXCLUSIVE, "Invalid user localpart for this application service.");
        }
        Optional<AppService> owner = appServices.exclusiveOwnerOfUser(user.value());
        if (owner.isPresent() && owner.get() != as) {
            throw new MatrixException(ErrorCode.EXCLUSIVE, "This user ID is reserved by an application service.");
        }
        return accounts.registerForAppService(user, registration, TokenAuthenticator.ip(req));
    }

    /** A username held exclusively by an appservice is refused to everyone else (spec: {@code M_EXCLUSIVE}). */
    private void checkNotExclusive(String username) {
        UserId user = Usernames.forRegistration(username, accounts.serverName());
        if (appServices.exclusiveOwnerOfUser(user.value()).isPresent()) {
            throw new MatrixException(ErrorCode.EXCLUSIVE, "This user ID is reserved by an application service.");
        }
    }

    private void available(ServerRequest req, ServerResponse res) {
        String username = req.query().first("username").asOptional()
                .orElseThrow(() -> new MatrixException(ErrorCode.MISSING_PARAM, "missing 'username'"));
        checkNotExclusive(username);
        accounts.checkAvailable(username);
        Reply.json(res, 200, Json.objectBuilder().add("available", true).build());
    }
}
