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
import java.util.LinkedHashMap;
import java.util.Map;
import org.hearth.core.sync.ToDeviceStream;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Send-to-Device messaging"; mounted at /_matrix/client. */
public final class ToDeviceRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final ToDeviceStream toDevice;

    public ToDeviceRoutes(Authenticator auth, JsonBody bodies, ToDeviceStream toDevice) {
        this.auth = auth;
        this.bodies = bodies;
        this.toDevice = toDevice;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/sendToDevice/{eventType}/{txnId}", on(Method.PUT, this::send));
    }

    private void send(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject messages = Json.requiredObject(bodies.read(req), "messages");
        Map<UserId, Map<String, JsonObject>> parsed = new LinkedHashMap<>();
        messages.forEach((user, byDevice) -> {
            if (!(byDevice instanceof JsonObject devices)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "messages." + user + " must be an object");
            }
            Map<String, JsonObject> contents = new LinkedHashMap<>();
            devices.forEach((device, content) -> {
                if (!(content instanceof JsonObject c)) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "each message must be an object");
                }
                contents.put(device, c);
            });
            parsed.put(UserId.parse(user), contents);
        });
        toDevice.send(who.userId(), who.deviceId(), param(req, "eventType"), param(req, "txnId"), parsed);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }
}
