package org.hearth.server.admin;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.account.LoginResult;
import org.hearth.core.account.SharedSecretRegistration;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Synapse admin API "Shared-Secret Registration"; mounted at /_synapse/admin/v1 on the client listener. */
public final class SharedSecretRegistrationRoutes implements HttpService {
    private final SharedSecretRegistration registration;
    private final JsonBody json;
    private final String serverName;

    public SharedSecretRegistrationRoutes(SharedSecretRegistration registration, JsonBody json, String serverName) {
        this.registration = registration;
        this.json = json;
        this.serverName = serverName;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/register", this::nonce)
                .post("/register", this::register)
                .any("/register", MatrixErrors::wrongMethod);
    }

    private void nonce(ServerRequest req, ServerResponse res) {
        Reply.json(res, 200, Json.objectBuilder().add("nonce", registration.nonce()).build());
    }

    private void register(ServerRequest req, ServerResponse res) {
        if (!registration.enabled()) {
            throw new MatrixException(ErrorCode.UNKNOWN, "Shared secret registration is not enabled");
        }
        JsonObject body = json.read(req);
        String nonce = Json.requiredString(body, "nonce");
        String username = Json.requiredString(body, "username");
        String password = Json.requiredString(body, "password");
        if (username.indexOf('\0') >= 0 || password.indexOf('\0') >= 0) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "username and password must not contain NUL");
        }
        JsonValue admin = body.getOrDefault("admin", JsonValue.FALSE);
        if (admin != JsonValue.TRUE && admin != JsonValue.FALSE) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'admin' must be a boolean");
        }
        String userType = Json.optionalString(body, "user_type").orElse(null);
        if (userType != null && userType.length() > 64) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "user_type is over 64 characters");
        }
        String displayName = Json.optionalString(body, "displayname").orElse(null);
        if (displayName != null && displayName.length() > org.hearth.core.profile.ProfileHandler.MAX_DISPLAYNAME_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "displayname is too long");
        }
        var request = new SharedSecretRegistration.Request(nonce, username, password, admin == JsonValue.TRUE,
                userType, displayName,
                Json.requiredString(body, "mac"));
        LoginResult r = registration.register(request);
        Reply.json(res, 200, Json.objectBuilder()
                .add("access_token", r.accessToken())
                .add("user_id", r.userId().value())
                .add("home_server", serverName)
                .add("device_id", r.deviceId())
                .build());
    }
}
