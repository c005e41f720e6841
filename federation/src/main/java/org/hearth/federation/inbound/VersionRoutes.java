package org.hearth.federation.inbound;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import java.nio.charset.StandardCharsets;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/** Spec: Server-Server API, "GET /_matrix/federation/v1/version"; mounted at /_matrix/federation/v1. */
public final class VersionRoutes implements HttpService {
    private final byte[] body;

    public VersionRoutes(String implementationVersion) {
        this.body = Json.createObjectBuilder()
                .add("server", Json.createObjectBuilder().add("name", "Hearth").add("version", implementationVersion))
                .build().toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/version", this::version)
                .any("/version", (req, res) -> {
                    throw new MatrixException(ErrorCode.UNRECOGNIZED, 405,
                            "Unrecognized request: " + req.prologue().method().text() + " is not allowed on this endpoint");
                });
    }

    private void version(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }
}
