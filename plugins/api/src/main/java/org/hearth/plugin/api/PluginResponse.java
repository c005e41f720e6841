package org.hearth.plugin.api;

import jakarta.json.JsonObject;
import java.util.Objects;

/** A JSON answer with its HTTP status. */
public record PluginResponse(int status, JsonObject body) {
    public PluginResponse {
        Objects.requireNonNull(body, "body");
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status " + status);
        }
    }

    public static PluginResponse ok(JsonObject body) {
        return new PluginResponse(200, body);
    }
}
