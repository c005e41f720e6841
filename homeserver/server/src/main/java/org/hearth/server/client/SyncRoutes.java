package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.ownUser;
import static org.hearth.server.client.ClientPaths.param;
import static org.hearth.server.client.ClientPaths.query;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.util.Optional;
import org.hearth.core.sync.FilterStore;
import org.hearth.core.sync.SyncHandler;
import org.hearth.core.sync.SyncToken;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Syncing" and "Filtering"; mounted at /_matrix/client. */
public final class SyncRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody bodies;
    private final SyncHandler sync;
    private final FilterStore filters;
    private final SyncExtras extras;

    /** Extra top-level keys of a {@code /sync} response (plugins' namespaces); {@link #NONE} adds nothing. */
    @FunctionalInterface
    public interface SyncExtras {
        SyncExtras NONE = (who, initial, response) -> response;

        JsonObject extend(Requester who, boolean initial, JsonObject response);
    }

    public SyncRoutes(Authenticator auth, JsonBody bodies, SyncHandler sync, FilterStore filters) {
        this(auth, bodies, sync, filters, SyncExtras.NONE);
    }

    public SyncRoutes(Authenticator auth, JsonBody bodies, SyncHandler sync, FilterStore filters, SyncExtras extras) {
        this.extras = extras;
        this.auth = auth;
        this.bodies = bodies;
        this.sync = sync;
        this.filters = filters;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/sync", on(Method.GET, this::sync));
        route(rules, "/user/{userId}/filter", on(Method.POST, this::createFilter));
        route(rules, "/user/{userId}/filter/{filterId}", on(Method.GET, this::getFilter));
    }

    private void sync(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String since = query(req, "since");
        long timeout = nonNegativeLong(query(req, "timeout"), "timeout");
        String fullState = query(req, "full_state");
        if (fullState != null && !fullState.equals("true") && !fullState.equals("false")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "full_state must be true or false");
        }
        var request = new SyncHandler.Request(who.userId(), who.deviceId(),
                Optional.ofNullable(since).map(SyncToken::parse), timeout, "true".equals(fullState),
                // Spec: without set_presence the client is marked online by syncing.
                Optional.of(Optional.ofNullable(query(req, "set_presence")).orElse("online")),
                filters.resolve(who.userId(), query(req, "filter")));
        try {
            Reply.json(res, 200, extras.extend(who, since == null, sync.sync(request)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("sync interrupted (server stopping)", e);
        }
    }

    private void createFilter(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId user = ownUser(req, who, "create filters");
        String id = filters.create(user, bodies.read(req));
        Reply.json(res, 200, Json.objectBuilder().add("filter_id", id).build());
    }

    private void getFilter(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        UserId user = ownUser(req, who, "read filters");
        Reply.json(res, 200, filters.get(user, param(req, "filterId")));
    }

    static long nonNegativeLong(String value, String name) {
        if (value == null) {
            return 0;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new MatrixException(ErrorCode.INVALID_PARAM, name + " must be a non-negative integer");
    }
}
