package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hearth.core.keys.KeysHandler;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.devices.LocalDeviceLists;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server "Device Management" ({@code GET /user/devices/{userId}}) and "End-to-End Encryption"
 * ({@code POST /user/keys/query}, {@code POST /user/keys/claim}), mounted at /_matrix/federation/v1. Only this
 * server's users may be asked about: anyone else is 400 {@code M_INVALID_PARAM} (as Synapse), nothing claimed.
 */
public final class UserKeyRoutes implements HttpService {
    // Synapse's bound on one query or claim; larger requests are refused whole.
    static final int MAX_USERS = 1000;

    private final FederationAuth auth;
    private final KeysHandler keys;
    private final LocalDeviceLists deviceLists;
    private final String ownName;

    public UserKeyRoutes(FederationAuth auth, KeysHandler keys, LocalDeviceLists deviceLists, String ownName) {
        this.auth = auth;
        this.keys = keys;
        this.deviceLists = deviceLists;
        this.ownName = ownName;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/user/devices/{userId}", auth.authenticated(this::devices))
                .any("/user/devices/{userId}", FederationJson::wrongMethod)
                .post("/user/keys/query", auth.authenticated(this::query))
                .any("/user/keys/query", FederationJson::wrongMethod)
                .post("/user/keys/claim", auth.authenticated(this::claim))
                .any("/user/keys/claim", FederationJson::wrongMethod);
    }

    private void devices(ServerRequest req, ServerResponse res, FederationRequest request) {
        UserId user = localUser(req.path().pathParameters().get("userId"));
        LocalDeviceLists.Announced current = deviceLists.announce(user);
        var devices = Json.arrayBuilder();
        for (var device : current.list().devices()) {
            // Spec: keys are required per device; a device that has not uploaded any is not listed yet.
            if (device.keys() == null) {
                continue;
            }
            JsonObjectBuilder d = Json.objectBuilder().add("device_id", device.deviceId()).add("keys", device.keys());
            if (device.displayName() != null) {
                d.add("device_display_name", device.displayName());
            }
            devices.add(d);
        }
        JsonObjectBuilder answer = Json.objectBuilder().add("user_id", user.value()).add("stream_id", current.streamId())
                .add("devices", devices);
        current.list().master().ifPresent(k -> answer.add("master_key", k));
        current.list().selfSigning().ifPresent(k -> answer.add("self_signing_key", k));
        FederationJson.reply(res, answer.build());
    }

    private void query(ServerRequest req, ServerResponse res, FederationRequest request) {
        JsonObject body = request.json();
        if (!(body.get("device_keys") instanceof JsonObject wanted)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "device_keys must be an object");
        }
        if (wanted.size() > MAX_USERS) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "at most " + MAX_USERS + " users per query");
        }
        Map<String, List<String>> query = new LinkedHashMap<>();
        wanted.forEach((userId, devices) -> {
            localUser(userId);
            if (!(devices instanceof JsonArray list) || !list.stream().allMatch(d -> d instanceof JsonString)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "device_keys." + userId + " must be a list of device IDs");
            }
            query.put(userId, list.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList());
        });
        JsonObject all = keys.query(null, query, 0);
        FederationJson.reply(res, Json.objectBuilder().add("device_keys", all.getJsonObject("device_keys"))
                .add("master_keys", all.getJsonObject("master_keys"))
                .add("self_signing_keys", all.getJsonObject("self_signing_keys")).build());
    }

    private void claim(ServerRequest req, ServerResponse res, FederationRequest request) {
        JsonObject body = request.json();
        if (!(body.get("one_time_keys") instanceof JsonObject wanted)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "one_time_keys must be an object");
        }
        if (wanted.size() > MAX_USERS) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "at most " + MAX_USERS + " users per claim");
        }
        Map<UserId, Map<String, String>> claims = new LinkedHashMap<>();
        List<String> bad = new ArrayList<>();
        wanted.forEach((userId, devices) -> {
            UserId user = localUser(userId);
            if (!(devices instanceof JsonObject byDevice)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "one_time_keys." + userId + " must be an object");
            }
            Map<String, String> algorithms = new LinkedHashMap<>();
            byDevice.forEach((device, algorithm) -> {
                if (algorithm instanceof JsonString s) {
                    algorithms.put(device, s.getString());
                } else {
                    bad.add(userId + "/" + device);
                }
            });
            claims.put(user, algorithms);
        });
        if (!bad.isEmpty()) {
            throw new MatrixException(ErrorCode.BAD_JSON, "algorithm must be a string: " + bad.getFirst());
        }
        JsonValue claimed = keys.claim(claims, 0).get("one_time_keys");
        FederationJson.reply(res, Json.objectBuilder().add("one_time_keys", claimed).build());
    }

    private UserId localUser(String raw) {
        UserId user = UserId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Not a user ID: " + raw));
        if (!user.domain().equals(ownName)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "User " + raw + " is not hosted on this server");
        }
        return user;
    }
}
