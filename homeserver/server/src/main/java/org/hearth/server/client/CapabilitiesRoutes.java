package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.Reply;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/** Spec: Client-Server API, "Capabilities negotiation" (capabilities.yaml); mounted at /_matrix/client. */
public final class CapabilitiesRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonObject body;
    private final JsonObject adminBody;

    public CapabilitiesRoutes(Authenticator auth, RoomVersion defaultVersion) {
        this(auth, defaultVersion, JsonValue.EMPTY_JSON_OBJECT);
    }

    /** {@code unstable}: namespaced capabilities of unstable features that are on (name to value), listed as well. */
    public CapabilitiesRoutes(Authenticator auth, RoomVersion defaultVersion, JsonObject unstable) {
        this.auth = auth;
        var available = Json.objectBuilder();
        for (RoomVersion v : RoomVersion.ALL) {
            available.add(v.id(), v.stable() ? "stable" : "unstable");
        }
        var enabled = Json.objectBuilder().add("enabled", true).build();
        var disabled = Json.objectBuilder().add("enabled", false).build();
        var common = Json.objectBuilder()
                .add("m.change_password", enabled)
                .add("m.room_versions", Json.objectBuilder().add("default", defaultVersion.id()).add("available", available))
                .add("m.set_displayname", enabled)
                .add("m.set_avatar_url", enabled)
                .add("m.profile_fields", enabled)
                // No third-party identifiers in Hearth yet.
                .add("m.3pid_changes", disabled)
                .add("m.get_login_token", enabled)
                .add("m.forget_forced_upon_leave", disabled);
        unstable.forEach(common::add);
        JsonObject all = common.build();
        this.body = Json.objectBuilder().add("capabilities", all).build();
        // Spec v1.18: present only for users who may use the lock and suspend endpoints, i.e. server admins.
        this.adminBody = Json.objectBuilder().add("capabilities", Json.objectBuilder(all)
                .add("m.account_moderation", Json.objectBuilder().add("suspend", true).add("lock", true))).build();
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/capabilities", on(Method.GET, this::capabilities));
    }

    private void capabilities(ServerRequest req, ServerResponse res) {
        Reply.json(res, 200, auth.require(req).admin() ? adminBody : body);
    }
}
