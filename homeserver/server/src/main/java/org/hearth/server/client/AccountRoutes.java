package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.account.AccountHandler;
import org.hearth.core.account.Session;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.json.Json;

/** Spec "Account registration and management": whoami, password change, deactivation; v3 and r0. */
public final class AccountRoutes implements HttpService {
    private final AccountHandler accounts;
    private final TokenAuthenticator auth;
    private final JsonBody json;

    public AccountRoutes(AccountHandler accounts, TokenAuthenticator auth, JsonBody json) {
        this.accounts = accounts;
        this.auth = auth;
        this.json = json;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/account/whoami", this::whoami)
                .any("/account/whoami", MatrixErrors::wrongMethod)
                .post("/account/password", this::password)
                .any("/account/password", MatrixErrors::wrongMethod)
                .post("/account/deactivate", this::deactivate)
                .any("/account/deactivate", MatrixErrors::wrongMethod)
                .get("/account/3pid", this::threepids)
                .any("/account/3pid", MatrixErrors::wrongMethod);
    }

    private void whoami(ServerRequest req, ServerResponse res) {
        Session s = auth.session(req);
        var body = Json.objectBuilder().add("user_id", s.userId().value()).add("is_guest", false);
        // An appservice acting as a user without a device has none to name.
        if (s.deviceId() != null) {
            body.add("device_id", s.deviceId());
        }
        Reply.json(res, 200, body.build());
    }

    // Clients (Element's settings) list 3PIDs unconditionally; Hearth binds none yet, so the list is empty.
    private void threepids(ServerRequest req, ServerResponse res) {
        auth.session(req);
        Reply.json(res, 200, Json.objectBuilder().add("threepids", Json.arrayBuilder()).build());
    }

    private void password(ServerRequest req, ServerResponse res) {
        Session s = auth.session(req);
        JsonObject body = json.read(req);
        String newPassword = Json.requiredString(body, "new_password");
        boolean logoutDevices = RequestBodies.optionalBoolean(body, "logout_devices", true);
        accounts.changePassword(s, newPassword, logoutDevices, RequestBodies.optionalObject(body, "auth").orElse(null));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void deactivate(ServerRequest req, ServerResponse res) {
        Session s = auth.session(req);
        JsonObject body = req.content().hasEntity() ? json.read(req) : JsonValue.EMPTY_JSON_OBJECT;
        boolean erase = RequestBodies.optionalBoolean(body, "erase", false);
        accounts.deactivate(s, erase, RequestBodies.optionalObject(body, "auth").orElse(null));
        // No identity server binding was ever made: nothing to unbind.
        Reply.json(res, 200, Json.objectBuilder().add("id_server_unbind_result", "no-support").build());
    }
}
