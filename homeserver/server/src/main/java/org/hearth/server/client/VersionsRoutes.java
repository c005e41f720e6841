package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.List;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;

/** Spec: Client-Server API, "GET /_matrix/client/versions"; mounted at /_matrix/client. Needs no authentication. */
public final class VersionsRoutes implements HttpService {
    /**
     * The spec versions whose Client-Server API Hearth is built against: v1.1 (the first versioned release) up to
     * the copy of the spec in shared/matrix-spec (v1.19). What is still missing is tracked per endpoint in
     * spec/STATUS.md; clients read this list to pick endpoint versions (v3), not to expect every feature.
     */
    static final List<String> SPEC_VERSIONS = List.of("v1.1", "v1.2", "v1.3", "v1.4", "v1.5", "v1.6", "v1.7", "v1.8",
            "v1.9", "v1.10", "v1.11", "v1.12", "v1.13", "v1.14", "v1.15", "v1.16", "v1.17", "v1.18", "v1.19");

    private final JsonObject body;

    public VersionsRoutes() {
        this(false);
    }

    /** {@code delayedEvents}: MSC4140 is served and on (matrix-js-sdk checks this flag before any delayed call). */
    public VersionsRoutes(boolean delayedEvents) {
        var versions = Json.createArrayBuilder();
        SPEC_VERSIONS.forEach(versions::add);
        // Only features that are on are listed; the field is always sent, as clients expect an object.
        var unstable = Json.createObjectBuilder();
        if (delayedEvents) {
            unstable.add("org.matrix.msc4140", true);
        }
        this.body = Json.createObjectBuilder()
                .add("versions", versions)
                .add("unstable_features", unstable)
                .build();
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/versions", this::versions)
                .any("/versions", MatrixErrors::wrongMethod);
    }

    private void versions(ServerRequest req, ServerResponse res) {
        Reply.json(res, 200, body);
    }
}
