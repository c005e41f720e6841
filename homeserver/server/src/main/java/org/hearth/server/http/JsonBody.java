package org.hearth.server.http;

import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Request bodies that must be JSON objects: M_NOT_JSON when they are not JSON, M_BAD_JSON when not an object. */
public final class JsonBody {
    private final long maxBytes;

    public JsonBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    public JsonObject read(ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw new MatrixException(ErrorCode.NOT_JSON, "Request body is empty; a JSON object is required");
        }
        return parse(req.content().inputStream());
    }

    /** Reads at most {@code maxBytes} (the listener enforces the same limit; chunked bodies are checked here). */
    JsonObject parse(InputStream in) {
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > maxBytes) {
            throw new MatrixException(ErrorCode.TOO_LARGE, "Request body is over " + maxBytes + " bytes");
        }
        JsonValue value = Json.parse(bytes);
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw new MatrixException(ErrorCode.BAD_JSON, "Request body must be a JSON object");
        }
        return value.asJsonObject();
    }
}
