package org.hearth.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;

/** Writes JSON answers. */
public final class Reply {
    private Reply() {}

    public static void json(ServerResponse res, int status, JsonObject body) {
        res.status(Status.create(status));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The spec's standard error response: {@code {"errcode": ..., "error": ...}}. */
    public static void error(ServerResponse res, int status, String errcode, String message) {
        json(res, status, errorBody(errcode, message));
    }

    static JsonObject errorBody(String errcode, String message) {
        return org.hearth.spec.json.Json.objectBuilder().add("errcode", errcode).add("error", message).build();
    }
}
