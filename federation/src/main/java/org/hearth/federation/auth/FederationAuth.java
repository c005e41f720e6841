package org.hearth.federation.auth;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.hearth.federation.http.FederationJson;
import org.hearth.federation.keys.ServerKeys;
import org.hearth.federation.keys.VerifyKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.federation.XMatrix;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.Json;

/**
 * Verifies the {@code X-Matrix} Authorization of inbound federation requests (spec: Server-Server API, "Request
 * Authentication"): a missing or malformed header, a destination other than us, an unknown key or a bad signature
 * is 401 {@code M_UNAUTHORIZED}.
 *
 * <p>A wrapper around each authenticated route rather than a filter over the whole prefix: the route is matched
 * first, so unknown endpoints still answer 404 and wrong methods 405 {@code M_UNRECOGNIZED}, as the spec asks,
 * whatever their Authorization.
 */
public final class FederationAuth {
    private final String ownName;
    private final ServerKeys keys;
    private final Clock clock;
    private volatile java.util.function.Consumer<String> heardFrom = origin -> { };

    public FederationAuth(String ownName, ServerKeys keys, Clock clock) {
        this.ownName = ownName;
        this.keys = keys;
        this.clock = clock;
    }

    /** A route handler that runs only for requests signed by their origin. */
    @FunctionalInterface
    public interface Authenticated {
        void handle(ServerRequest req, ServerResponse res, FederationRequest request);
    }

    /** Told the origin of each authenticated request (a server that talks to us is up again). */
    public void onAuthenticated(java.util.function.Consumer<String> listener) {
        this.heardFrom = listener;
    }

    public Handler authenticated(Authenticated handler) {
        return (req, res) -> handler.handle(req, res, authenticate(req));
    }

    /** Reads the body and verifies the request's signature over method, target, origin, destination and body. */
    public FederationRequest authenticate(ServerRequest req) {
        List<String> headers = req.headers().all(HeaderNames.AUTHORIZATION, List::of);
        Optional<XMatrix> parsed = headers.stream().map(XMatrix::parse).flatMap(Optional::stream).findFirst();
        if (parsed.isEmpty()) {
            throw unauthorized("Missing or malformed X-Matrix Authorization header");
        }
        XMatrix auth = parsed.get();
        if (auth.destination() != null && !auth.destination().equals(ownName)) {
            throw unauthorized("Request is for " + auth.destination() + ", not this server");
        }
        if (!ServerName.isValid(auth.origin())) {
            throw unauthorized("origin is not a valid server name");
        }
        byte[] body = FederationJson.bytes(req);
        JsonValue content = body.length == 0 ? null : Json.parse(body);
        String target = req.prologue().uriPath().rawPath()
                + (req.prologue().query().isEmpty() ? "" : "?" + req.prologue().query().rawValue());
        VerifyKey key = keys.find(auth.origin(), auth.key(), clock.millis())
                .orElseThrow(() -> unauthorized("No valid key " + auth.key() + " of " + auth.origin() + " known"));
        if (!auth.verify(req.prologue().method().text(), target, content, key.publicKey())) {
            throw unauthorized("Invalid signature for " + auth.origin());
        }
        heardFrom.accept(auth.origin());
        return new FederationRequest(auth.origin(), body);
    }

    private static MatrixException unauthorized(String why) {
        return new MatrixException(ErrorCode.UNAUTHORIZED, why);
    }
}
