package org.hearth.core.account;

import jakarta.json.JsonObject;
import java.util.Locale;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec "Identifier types": who a login or a password stage claims to be. Only {@code m.id.user} is supported. */
public final class LoginIdentifiers {
    private LoginIdentifiers() {}

    /**
     * The user named by {@code identifier} ({@code m.id.user}: a localpart or a full user ID), or by the deprecated
     * top-level {@code user}. Localparts are lowercased, as registration lowercases them.
     */
    public static UserId user(JsonObject body, ServerName server) {
        String user;
        if (body.containsKey("identifier")) {
            JsonObject identifier = Json.requiredObject(body, "identifier");
            String type = Json.requiredString(identifier, "type");
            if (!type.equals("m.id.user")) {
                throw new MatrixException(ErrorCode.UNKNOWN, "Unsupported identifier type " + type + " (only m.id.user)");
            }
            user = Json.requiredString(identifier, "user");
        } else if (body.containsKey("user")) {
            user = Json.requiredString(body, "user");
        } else {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "missing 'identifier'");
        }
        if (user.startsWith("@")) {
            UserId id = UserId.tryParse(user).orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid user ID " + user));
            String local = id.localpart();
            return UserId.of(local.toLowerCase(Locale.ROOT), id.serverName());
        }
        return UserId.tryParse("@" + user.toLowerCase(Locale.ROOT) + ":" + server.value())
                .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid user " + user));
    }
}
