package org.hearth.core.account;

import jakarta.json.JsonObject;

/**
 * Spec "User-interactive authentication API": the 401 answer listing the flows, the session and the stages
 * completed so far, plus {@code errcode}/{@code error} when the stage just tried failed. Rendered as-is.
 */
public final class AuthRequired extends RuntimeException {
    private final transient JsonObject body;

    public AuthRequired(JsonObject body) {
        super("user-interactive authentication required", null, false, false);
        this.body = body;
    }

    public JsonObject body() {
        return body;
    }
}
