package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.admin.ServerAdministration;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Server Administration" (whois) and "Account moderation" ({@code /v1/admin/lock} and
 * {@code /v1/admin/suspend}); mounted at /_matrix/client.
 */
public final class AdminRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final ServerAdministration administration;

    public AdminRoutes(Authenticator auth, JsonBody bodies, ServerAdministration administration) {
        this.auth = auth;
        this.bodies = bodies;
        this.administration = administration;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/admin/whois/{userId}", on(Method.GET, this::whois));
        rules.get("/v1/admin/lock/{userId}", this::getLocked)
                .put("/v1/admin/lock/{userId}", this::setLocked)
                .any("/v1/admin/lock/{userId}", MatrixErrors::wrongMethod)
                .get("/v1/admin/suspend/{userId}", this::getSuspended)
                .put("/v1/admin/suspend/{userId}", this::setSuspended)
                .any("/v1/admin/suspend/{userId}", MatrixErrors::wrongMethod);
    }

    private void whois(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId target = RoomAccess.userId(param(req, "userId"));
        // The spec allows restricting whois to the user and admins; Synapse does.
        if (!who.admin() && !target.equals(who.userId())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a server admin");
        }
        var devices = Json.objectBuilder();
        administration.whois(target).forEach((device, c) -> {
            var connections = Json.arrayBuilder();
            if (c.ip() != null || c.lastSeen() != null || c.userAgent() != null) {
                var connection = Json.objectBuilder();
                if (c.ip() != null) {
                    connection.add("ip", c.ip());
                }
                if (c.lastSeen() != null) {
                    connection.add("last_seen", c.lastSeen());
                }
                if (c.userAgent() != null) {
                    connection.add("user_agent", c.userAgent());
                }
                connections.add(connection);
            }
            devices.add(device, Json.objectBuilder().add("sessions",
                    Json.arrayBuilder().add(Json.objectBuilder().add("connections", connections))));
        });
        Reply.json(res, 200, Json.objectBuilder().add("user_id", target.value()).add("devices", devices).build());
    }

    private void getLocked(ServerRequest req, ServerResponse res) {
        Requester admin = requireAdmin(req);
        boolean locked = administration.locked(admin.userId(), target(req));
        Reply.json(res, 200, Json.objectBuilder().add("locked", locked).build());
    }

    private void setLocked(ServerRequest req, ServerResponse res) {
        Requester admin = requireAdmin(req);
        boolean locked = requiredBoolean(bodies.read(req), "locked");
        administration.setLocked(admin.userId(), target(req), locked);
        Reply.json(res, 200, Json.objectBuilder().add("locked", locked).build());
    }

    private void getSuspended(ServerRequest req, ServerResponse res) {
        Requester admin = requireAdmin(req);
        boolean suspended = administration.suspended(admin.userId(), target(req));
        Reply.json(res, 200, Json.objectBuilder().add("suspended", suspended).build());
    }

    private void setSuspended(ServerRequest req, ServerResponse res) {
        Requester admin = requireAdmin(req);
        boolean suspended = requiredBoolean(bodies.read(req), "suspended");
        administration.setSuspended(admin.userId(), target(req), suspended);
        Reply.json(res, 200, Json.objectBuilder().add("suspended", suspended).build());
    }

    /** Checked before any look-up of the target (spec: no user enumeration by non-admins). */
    private Requester requireAdmin(ServerRequest req) {
        Requester who = auth.require(req);
        if (!who.admin()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Requesting user is not a server administrator");
        }
        return who;
    }

    private static UserId target(ServerRequest req) {
        return RoomAccess.userId(param(req, "userId"));
    }

    private static boolean requiredBoolean(JsonObject body, String key) {
        JsonValue v = body.get(key);
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "missing '" + key + "'");
        }
        if (v != JsonValue.TRUE && v != JsonValue.FALSE) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be a boolean");
        }
        return v == JsonValue.TRUE;
    }
}
