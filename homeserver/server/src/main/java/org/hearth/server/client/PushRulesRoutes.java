package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.query;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonValue;
import org.hearth.core.push.PushRulesHandler;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.push.PushRule;
import org.hearth.spec.push.PushRuleKind;

/**
 * Spec: Client-Server API, "Push Rules: API" ({@code pushrules.yaml}); mounted at /_matrix/client, v3 and r0.
 * Only the {@code global} scope exists; other scopes match no route (404 M_UNRECOGNIZED).
 */
public final class PushRulesRoutes implements HttpService {
    private static final String RULE = "/pushrules/global/{kind}/{ruleId}";

    private final Authenticator auth;
    private final JsonBody bodies;
    private final PushRulesHandler pushRules;

    public PushRulesRoutes(Authenticator auth, JsonBody bodies, PushRulesHandler pushRules) {
        this.auth = auth;
        this.bodies = bodies;
        this.pushRules = pushRules;
    }

    @Override
    public void routing(HttpRules rules) {
        // The spec's paths end in a slash; clients also send them without, so both answer.
        route(rules, "/pushrules/", on(Method.GET, this::all));
        route(rules, "/pushrules", on(Method.GET, this::all));
        route(rules, "/pushrules/global/", on(Method.GET, this::global));
        route(rules, "/pushrules/global", on(Method.GET, this::global));
        route(rules, RULE, on(Method.GET, this::getRule), on(Method.PUT, this::putRule), on(Method.DELETE, this::deleteRule));
        route(rules, RULE + "/enabled", on(Method.GET, this::getEnabled), on(Method.PUT, this::putEnabled));
        route(rules, RULE + "/actions", on(Method.GET, this::getActions), on(Method.PUT, this::putActions));
    }

    private void all(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        Reply.json(res, 200, pushRules.rules(user).toResponse());
    }

    private void global(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        Reply.json(res, 200, pushRules.rules(user).toJson());
    }

    private void getRule(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        Reply.json(res, 200, pushRules.rule(user, kind(req), param(req, "ruleId")).toJson());
    }

    private void putRule(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        PushRuleKind kind = kind(req);
        pushRules.put(user, kind, param(req, "ruleId"), bodies.read(req), query(req, "before"), query(req, "after"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void deleteRule(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        pushRules.delete(user, kind(req), param(req, "ruleId"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void getEnabled(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        PushRule rule = pushRules.rule(user, kind(req), param(req, "ruleId"));
        Reply.json(res, 200, Json.objectBuilder().add("enabled", rule.enabled()).build());
    }

    private void putEnabled(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        PushRuleKind kind = kind(req);
        pushRules.setEnabled(user, kind, param(req, "ruleId"), bodies.read(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void getActions(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        PushRule rule = pushRules.rule(user, kind(req), param(req, "ruleId"));
        Reply.json(res, 200, Json.objectBuilder().add("actions", rule.toJson().getJsonArray("actions")).build());
    }

    private void putActions(ServerRequest req, ServerResponse res) {
        UserId user = auth.require(req).userId();
        PushRuleKind kind = kind(req);
        pushRules.setActions(user, kind, param(req, "ruleId"), bodies.read(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    /** The path's kind; one outside the spec's enum names no endpoint resource, so 404 M_NOT_FOUND. */
    private static PushRuleKind kind(ServerRequest req) {
        String name = param(req, "kind");
        try {
            return PushRuleKind.parse(name);
        } catch (MatrixException e) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown push rule kind: " + name);
        }
    }
}
