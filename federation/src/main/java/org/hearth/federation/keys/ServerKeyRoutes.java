package org.hearth.federation.keys;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/** Spec: Server-Server API, "Publishing Keys" ({@code GET /_matrix/key/v2/server}); mounted at /_matrix/key/v2. */
public final class ServerKeyRoutes implements HttpService {
    /**
     * How long others may cache our key answer. Synapse's default {@code key_refresh_interval} (1 day): the spec
     * asks for at least an hour, and a short time bounds how long a replaced key stays trusted.
     */
    public static final Duration VALIDITY = Duration.ofDays(1);

    private final String serverName;
    private final SigningKey key;
    private final Clock clock;

    public ServerKeyRoutes(String serverName, SigningKey key, Clock clock) {
        this.serverName = serverName;
        this.key = key;
        this.clock = clock;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/server", this::server)
                .any("/server", (req, res) -> {
                    throw new MatrixException(ErrorCode.UNRECOGNIZED, 405,
                            "Unrecognized request: " + req.prologue().method().text() + " is not allowed on this endpoint");
                });
    }

    private void server(ServerRequest req, ServerResponse res) {
        byte[] body = Signatures.sign(keys(), serverName, key).toString().getBytes(StandardCharsets.UTF_8);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(body);
    }

    /** Signed freshly on every request: valid_until_ts moves with the clock and signing takes ~0.1 ms. */
    JsonObject keys() {
        return Json.createObjectBuilder()
                .add("server_name", serverName)
                .add("valid_until_ts", clock.millis() + VALIDITY.toMillis())
                .add("verify_keys", Json.createObjectBuilder()
                        .add(key.keyId(), Json.createObjectBuilder().add("key", key.publicKeyBase64())))
                // Hearth does not rotate keys yet, so no key has been retired.
                .add("old_verify_keys", Json.createObjectBuilder())
                .build();
    }
}
