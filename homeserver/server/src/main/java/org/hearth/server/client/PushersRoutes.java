package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonValue;
import org.hearth.core.push.Pushers;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Push notifications", pushers ({@code pusher.yaml}); mounted at /_matrix/client, v3 and r0. */
public final class PushersRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final Pushers pushers;

    public PushersRoutes(Authenticator auth, JsonBody bodies, Pushers pushers) {
        this.auth = auth;
        this.bodies = bodies;
        this.pushers = pushers;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/pushers", on(Method.GET, this::list));
        route(rules, "/pushers/set", on(Method.POST, this::set));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        var array = Json.arrayBuilder();
        pushers.of(who.userId()).forEach(p -> array.add(p.toJson()));
        Reply.json(res, 200, Json.objectBuilder().add("pushers", array).build());
    }

    private void set(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        pushers.set(who.userId(), who.deviceId(), bodies.read(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }
}
