package org.hearth.server.admin;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.Optional;
import org.hearth.core.account.RegistrationToken;
import org.hearth.core.account.RegistrationTokens;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Synapse admin API "Registration Tokens" ({@code /_synapse/admin/v1/registration_tokens}); server admins only. */
public final class RegistrationTokenRoutes implements HttpService {
    private final Authenticator auth;
    private final RegistrationTokens tokens;
    private final JsonBody json;

    public RegistrationTokenRoutes(Authenticator auth, RegistrationTokens tokens, JsonBody json) {
        this.auth = auth;
        this.tokens = tokens;
        this.json = json;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/registration_tokens", this::list)
                .any("/registration_tokens", MatrixErrors::wrongMethod)
                .post("/registration_tokens/new", this::create)
                .any("/registration_tokens/new", MatrixErrors::wrongMethod)
                .get("/registration_tokens/{token}", this::get)
                .put("/registration_tokens/{token}", this::update)
                .delete("/registration_tokens/{token}", this::delete)
                .any("/registration_tokens/{token}", MatrixErrors::wrongMethod);
    }

    private void requireAdmin(ServerRequest req) {
        if (!auth.require(req).admin()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not a server admin");
        }
    }

    private void list(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        Boolean valid = req.query().first("valid").asOptional().map(v -> switch (v) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, "valid must be true or false");
        }).orElse(null);
        var array = Json.arrayBuilder();
        tokens.list(valid).forEach(t -> array.add(render(t)));
        Reply.json(res, 200, Json.objectBuilder().add("registration_tokens", array).build());
    }

    private void create(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        JsonObject body = req.content().hasEntity() ? json.read(req) : JsonValue.EMPTY_JSON_OBJECT;
        RegistrationToken t = tokens.create(
                Json.optionalString(body, "token").orElse(null),
                optionalInt(body, "uses_allowed").orElse(null),
                optionalLong(body, "expiry_time").orElse(null),
                optionalInt(body, "length").orElse(null));
        Reply.json(res, 200, render(t));
    }

    private void get(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        String token = req.path().pathParameters().get("token");
        Reply.json(res, 200, render(tokens.find(token)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No such registration token: " + token))));
    }

    private void update(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        JsonObject body = json.read(req);
        RegistrationToken t = tokens.update(req.path().pathParameters().get("token"),
                optionalInt(body, "uses_allowed"), optionalLong(body, "expiry_time"),
                body.containsKey("uses_allowed"), body.containsKey("expiry_time"));
        Reply.json(res, 200, render(t));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        requireAdmin(req);
        tokens.delete(req.path().pathParameters().get("token"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private static Optional<Long> optionalLong(JsonObject body, String key) {
        JsonValue v = body.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (v instanceof JsonNumber n && n.isIntegral()) {
            try {
                return Optional.of(n.longValueExact());
            } catch (ArithmeticException e) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "'" + key + "' is out of range");
            }
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, "'" + key + "' must be an integer or null");
    }

    private static Optional<Integer> optionalInt(JsonObject body, String key) {
        return optionalLong(body, key).map(v -> {
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "'" + key + "' is out of range");
            }
            return v.intValue();
        });
    }

    private static JsonObject render(RegistrationToken t) {
        var o = Json.objectBuilder().add("token", t.token());
        if (t.usesAllowed() == null) {
            o.addNull("uses_allowed");
        } else {
            o.add("uses_allowed", t.usesAllowed());
        }
        o.add("pending", t.pending()).add("completed", t.completed());
        if (t.expiryTime() == null) {
            o.addNull("expiry_time");
        } else {
            o.add("expiry_time", t.expiryTime());
        }
        return o.build();
    }
}
