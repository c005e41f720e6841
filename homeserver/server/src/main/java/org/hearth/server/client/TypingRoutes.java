package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.ownUser;
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
import org.hearth.core.sync.TypingStream;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;

/** Spec: Client-Server API, "Typing Notifications"; mounted at /_matrix/client. */
public final class TypingRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final TypingStream typing;

    public TypingRoutes(Authenticator auth, JsonBody bodies, TypingStream typing) {
        this.auth = auth;
        this.bodies = bodies;
        this.typing = typing;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/rooms/{roomId}/typing/{userId}", on(Method.PUT, this::setTyping));
    }

    private void setTyping(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId user = ownUser(req, who, "set typing");
        var room = room(req);
        JsonObject body = bodies.read(req);
        JsonValue typingValue = body.get("typing");
        if (typingValue != JsonValue.TRUE && typingValue != JsonValue.FALSE) {
            throw new MatrixException(typingValue == null ? ErrorCode.MISSING_PARAM : ErrorCode.BAD_JSON,
                    "'typing' must be a boolean");
        }
        long timeout = 30_000;
        JsonValue timeoutValue = body.get("timeout");
        if (timeoutValue != null && timeoutValue != JsonValue.NULL) {
            if (!(timeoutValue instanceof JsonNumber n) || !n.isIntegral() || n.longValue() < 0) {
                throw new MatrixException(ErrorCode.BAD_JSON, "'timeout' must be a non-negative integer");
            }
            timeout = n.longValue();
        }
        typing.set(user, room, typingValue == JsonValue.TRUE, timeout);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }
}
