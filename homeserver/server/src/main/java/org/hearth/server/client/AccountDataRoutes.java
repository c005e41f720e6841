package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.ownUser;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.room;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Optional;
import org.hearth.core.sync.AccountDataStream;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Client Config" (account data) and "Room Tagging"; mounted at /_matrix/client. */
public final class AccountDataRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final AccountDataStream accountData;

    public AccountDataRoutes(Authenticator auth, JsonBody bodies, AccountDataStream accountData) {
        this.auth = auth;
        this.bodies = bodies;
        this.accountData = accountData;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/user/{userId}/account_data/{type}", on(Method.GET, this::getGlobal), on(Method.PUT, this::putGlobal));
        route(rules, "/user/{userId}/rooms/{roomId}/account_data/{type}",
                on(Method.GET, this::getRoom), on(Method.PUT, this::putRoom));
        route(rules, "/user/{userId}/rooms/{roomId}/tags", on(Method.GET, this::tags));
        route(rules, "/user/{userId}/rooms/{roomId}/tags/{tag}", on(Method.PUT, this::putTag), on(Method.DELETE, this::deleteTag));
    }

    private void getGlobal(ServerRequest req, ServerResponse res) {
        UserId user = ownUser(req, auth.require(req), "read account data");
        Reply.json(res, 200, accountData.get(user, Optional.empty(), param(req, "type")));
    }

    private void putGlobal(ServerRequest req, ServerResponse res) {
        UserId user = ownUser(req, auth.require(req), "set account data");
        accountData.put(user, Optional.empty(), param(req, "type"), bodies.read(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void getRoom(ServerRequest req, ServerResponse res) {
        UserId user = ownUser(req, auth.require(req), "read account data");
        Reply.json(res, 200, accountData.get(user, Optional.of(room(req)), param(req, "type")));
    }

    private void putRoom(ServerRequest req, ServerResponse res) {
        UserId user = ownUser(req, auth.require(req), "set account data");
        var room = room(req);
        accountData.put(user, Optional.of(room), param(req, "type"), bodies.read(req));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void tags(ServerRequest req, ServerResponse res) {
        UserId user = ownUser(req, auth.require(req), "read tags");
        Reply.json(res, 200, Json.objectBuilder().add("tags", accountData.tags(user, room(req))).build());
    }

    private void putTag(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId user = ownUser(req, who, "set tags");
        var room = room(req);
        JsonObject body = bodies.read(req);
        JsonValue order = body.get("order");
        if (order != null && order != JsonValue.NULL && !(order instanceof JsonNumber)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "'order' must be a number");
        }
        accountData.putTag(user, room, param(req, "tag"), body);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void deleteTag(ServerRequest req, ServerResponse res) {
        UserId user = ownUser(req, auth.require(req), "delete tags");
        accountData.deleteTag(user, room(req), param(req, "tag"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }
}
