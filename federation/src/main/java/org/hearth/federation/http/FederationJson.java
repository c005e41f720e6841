package org.hearth.federation.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** JSON in and out of federation handlers (the listener's payload limit bounds bodies; errors render centrally). */
public final class FederationJson {
    private FederationJson() {}

    public static void reply(ServerResponse res, JsonObject body) {
        res.status(Status.OK_200);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The raw body; empty when there is none. */
    public static byte[] bytes(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return new byte[0];
        }
        try (var in = req.content().inputStream()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON object body: {@code M_NOT_JSON} when it is missing or not JSON, {@code M_BAD_JSON} when not an object. */
    public static JsonObject object(byte[] body) {
        if (body.length == 0) {
            throw new MatrixException(ErrorCode.NOT_JSON, "Request body required");
        }
        var value = Json.parse(body);
        if (!(value instanceof JsonObject o)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "Request body must be a JSON object");
        }
        return o;
    }

    /** {@code M_UNRECOGNIZED} 405 for a known path called with another method. */
    public static void wrongMethod(ServerRequest req, ServerResponse res) {
        throw new MatrixException(ErrorCode.UNRECOGNIZED, 405,
                "Unrecognized request: " + req.prologue().method().text() + " is not allowed on this endpoint");
    }
}
