package org.hearth.plugin.api;

import jakarta.json.JsonObject;
import java.util.Map;
import java.util.Optional;

/**
 * One authenticated request to a plugin route.
 *
 * @param user        the caller's user ID
 * @param pathParams  the route's {@code {name}} parameters, URL-decoded
 * @param query       the query parameters (first value of each)
 * @param body        the JSON object body; empty when the request has none. A body that is not a JSON object was
 *                    already answered with 400 {@code M_NOT_JSON}
 */
public record PluginRequest(String user, Map<String, String> pathParams, Map<String, String> query,
                            Optional<JsonObject> body) {
    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalArgumentException("no path parameter " + name);
        }
        return value;
    }
}
