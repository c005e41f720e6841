package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.ownUser;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.core.sync.PresenceStream;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Presence"; mounted at /_matrix/client. */
public final class PresenceRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final PresenceStream presence;

    public PresenceRoutes(Authenticator auth, JsonBody bodies, PresenceStream presence) {
        this.auth = auth;
        this.bodies = bodies;
        this.presence = presence;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/presence/{userId}/status", on(Method.GET, this::get), on(Method.PUT, this::put));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        Reply.json(res, 200, presence.status(who.userId(), UserId.parse(param(req, "userId"))));
    }

    private void put(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId user = ownUser(req, who, "set presence");
        JsonObject body = bodies.read(req);
        presence.set(user, Json.requiredString(body, "presence"), Json.optionalString(body, "status_msg"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }
}
