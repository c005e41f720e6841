package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.hearth.core.directory.UserDirectory;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "User directory" ({@code POST /user_directory/search}); at v3 and r0. */
public final class UserDirectoryRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody body;
    private final UserDirectory directory;

    public UserDirectoryRoutes(Authenticator auth, JsonBody body, UserDirectory directory) {
        this.auth = auth;
        this.body = body;
        this.directory = directory;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/user_directory/search", on(Method.POST, this::search));
    }

    private void search(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject b = body.read(req);
        String term = RoomAccess.optionalString(b, "search_term");
        if (term == null) {
            throw new MatrixException(ErrorCode.BAD_JSON, "search_term is required");
        }
        // Synapse: 10 by default, clamped to 0..50.
        int limit = switch (b.get("limit")) {
            case null -> 10;
            case JsonNumber n when n.isIntegral() -> (int) Math.max(0, Math.min(UserDirectory.MAX_LIMIT, n.longValue()));
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "limit must be an integer");
        };
        UserDirectory.Results found = limit == 0 || term.isBlank()
                ? new UserDirectory.Results(java.util.List.of(), false)
                : directory.search(who.userId(), term, limit);
        JsonArrayBuilder results = Json.arrayBuilder();
        for (UserDirectory.Result r : found.results()) {
            JsonObjectBuilder o = Json.objectBuilder().add("user_id", r.userId().value());
            r.displayName().ifPresent(v -> o.add("display_name", v));
            r.avatarUrl().ifPresent(v -> o.add("avatar_url", v));
            results.add(o);
        }
        Reply.json(res, 200, Json.objectBuilder().add("results", results).add("limited", found.limited()).build());
    }
}
