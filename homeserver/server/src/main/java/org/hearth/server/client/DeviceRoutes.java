package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.account.Device;
import org.hearth.core.account.DeviceHandler;
import org.hearth.core.account.Session;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec "Device management": {@code /devices}, {@code /devices/{deviceId}}, {@code /delete_devices}; v3 and r0. */
public final class DeviceRoutes implements HttpService {
    private final DeviceHandler devices;
    private final TokenAuthenticator auth;
    private final JsonBody json;

    public DeviceRoutes(DeviceHandler devices, TokenAuthenticator auth, JsonBody json) {
        this.devices = devices;
        this.auth = auth;
        this.json = json;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/devices", this::list)
                .any("/devices", MatrixErrors::wrongMethod)
                .get("/devices/{deviceId}", this::get)
                .put("/devices/{deviceId}", this::rename)
                .delete("/devices/{deviceId}", this::delete)
                .any("/devices/{deviceId}", MatrixErrors::wrongMethod)
                .post("/delete_devices", this::deleteMany)
                .any("/delete_devices", MatrixErrors::wrongMethod);
    }

    private void list(ServerRequest req, ServerResponse res) {
        var array = Json.arrayBuilder();
        devices.list(auth.session(req)).forEach(d -> array.add(render(d)));
        Reply.json(res, 200, Json.objectBuilder().add("devices", array).build());
    }

    private void get(ServerRequest req, ServerResponse res) {
        Session s = auth.session(req);
        Reply.json(res, 200, render(devices.get(s, req.path().pathParameters().get("deviceId"))));
    }

    private void rename(ServerRequest req, ServerResponse res) {
        Session s = auth.session(req);
        JsonObject body = json.read(req);
        String name = Json.optionalString(body, "display_name").orElse(null);
        if (auth.appService(req).isPresent()) {
            // Only appservices create devices this way (v1.17): 201 when created, 200 when renamed.
            boolean created = devices.createOrRename(s, req.path().pathParameters().get("deviceId"), name);
            Reply.json(res, created ? 201 : 200, JsonValue.EMPTY_JSON_OBJECT);
            return;
        }
        devices.rename(s, req.path().pathParameters().get("deviceId"), name);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Session s = auth.session(req);
        JsonObject body = req.content().hasEntity() ? json.read(req) : JsonValue.EMPTY_JSON_OBJECT;
        if (auth.appService(req).isPresent()) {
            devices.deleteByAppService(s, List.of(req.path().pathParameters().get("deviceId")), true);
            Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
            return;
        }
        devices.delete(s, List.of(req.path().pathParameters().get("deviceId")), true,
                RequestBodies.optionalObject(body, "auth").orElse(null));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void deleteMany(ServerRequest req, ServerResponse res) {
        Session s = auth.session(req);
        JsonObject body = json.read(req);
        List<String> ids = new ArrayList<>();
        for (JsonValue v : Json.requiredArray(body, "devices")) {
            if (!(v instanceof JsonString str)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "'devices' must be an array of strings");
            }
            ids.add(str.getString());
        }
        if (auth.appService(req).isPresent()) {
            devices.deleteByAppService(s, ids, false);
        } else {
            devices.delete(s, ids, false, RequestBodies.optionalObject(body, "auth").orElse(null));
        }
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private static JsonObject render(Device d) {
        var o = Json.objectBuilder().add("device_id", d.deviceId());
        if (d.displayName() != null) {
            o.add("display_name", d.displayName());
        }
        if (d.lastSeenIp() != null) {
            o.add("last_seen_ip", d.lastSeenIp());
        }
        if (d.lastSeenTs() != null) {
            o.add("last_seen_ts", d.lastSeenTs());
        }
        return o.build();
    }
}
