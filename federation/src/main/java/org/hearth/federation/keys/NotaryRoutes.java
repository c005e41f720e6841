package org.hearth.federation.keys;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server API, "Querying Keys Through Another Server"; mounted at /_matrix/key/v2. This server as a
 * notary: other servers' latest key answers with our signature added to theirs, and our own keys. Unauthenticated,
 * as the spec defines these endpoints without {@code signedRequest}.
 */
public final class NotaryRoutes implements HttpService {
    private final ServerKeys keys;
    private final String ownName;
    private final SigningKey ownKey;
    private final Supplier<JsonObject> ownKeys;
    private final Clock clock;

    public NotaryRoutes(ServerKeys keys, String ownName, SigningKey ownKey, ServerKeyRoutes own, Clock clock) {
        this.keys = keys;
        this.ownName = ownName;
        this.ownKey = ownKey;
        this.ownKeys = () -> Signatures.sign(own.keys(), ownName, ownKey);
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/query/{serverName}", this::queryOne)
                .any("/query/{serverName}", FederationJson::wrongMethod)
                .post("/query", this::queryMany)
                .any("/query", FederationJson::wrongMethod);
    }

    private void queryOne(ServerRequest req, ServerResponse res) {
        String server = req.path().pathParameters().get("serverName");
        long minimum = req.query().first("minimum_valid_until_ts").map(NotaryRoutes::timestamp).orElse(clock.millis());
        var out = Json.arrayBuilder();
        answer(server, minimum, Set.of()).ifPresent(out::add);
        FederationJson.reply(res, Json.objectBuilder().add("server_keys", out).build());
    }

    private void queryMany(ServerRequest req, ServerResponse res) {
        JsonObject body = FederationJson.object(FederationJson.bytes(req));
        if (!(body.get("server_keys") instanceof JsonObject servers)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "server_keys must be an object");
        }
        long now = clock.millis();
        var out = Json.arrayBuilder();
        for (Map.Entry<String, JsonValue> e : servers.entrySet()) {
            if (!(e.getValue() instanceof JsonObject criteria)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "server_keys." + e.getKey() + " must be an object");
            }
            long minimum = now;
            for (Map.Entry<String, JsonValue> c : criteria.entrySet()) {
                if (!(c.getValue() instanceof JsonObject criterion)) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "query criteria must be objects");
                }
                JsonValue ts = criterion.get("minimum_valid_until_ts");
                if (ts != null && !(ts instanceof JsonNumber n && n.isIntegral())) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "minimum_valid_until_ts must be an integer");
                }
                if (ts instanceof JsonNumber n) {
                    minimum = Math.max(minimum, n.longValue());
                }
            }
            answer(e.getKey(), minimum, criteria.keySet()).ifPresent(out::add);
        }
        FederationJson.reply(res, Json.objectBuilder().add("server_keys", out).build());
    }

    // Servers that cannot be reached and have no cached answer are left out, as the spec says.
    private Optional<JsonObject> answer(String server, long minimum, Set<String> keyIds) {
        if (!ServerName.isValid(server)) {
            return Optional.empty();
        }
        if (server.equals(ownName)) {
            return Optional.of(ownKeys.get());
        }
        return keys.latestResponse(server, minimum, keyIds).map(json -> Signatures.sign(json, ownName, ownKey));
    }

    private static long timestamp(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "minimum_valid_until_ts must be an integer");
        }
    }
}
