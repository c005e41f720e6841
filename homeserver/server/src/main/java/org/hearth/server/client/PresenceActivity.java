package org.hearth.server.client;

import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hearth.core.sync.PresenceStream;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.MatrixException;

/**
 * Spec "Presence", {@code last_active_ago}: what counts as the user being active (sending events, receipts, read
 * markers), as Synapse counts it; syncing alone does not, so an idle client shows as unavailable. One filter names
 * these endpoints rather than each handler; a request counts once it succeeded.
 */
public final class PresenceActivity implements Filter {
    // PUT /rooms/{roomId}/send|state|redact/...
    private static final Pattern SEND = Pattern.compile("^/_matrix/client/(?:v3|r0)/rooms/[^/]+/(?:send|state|redact)/.*");
    // POST /rooms/{roomId}/receipt/... and /rooms/{roomId}/read_markers
    private static final Pattern READ = Pattern.compile("^/_matrix/client/(?:v3|r0)/rooms/[^/]+/(?:receipt/.*|read_markers/?)$");

    private final Authenticator auth;
    private final PresenceStream presence;

    public PresenceActivity(Authenticator auth, PresenceStream presence) {
        this.auth = auth;
        this.presence = presence;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Method method = req.prologue().method();
        String path = req.path().path();
        boolean counts = (Method.PUT.equals(method) && SEND.matcher(path).matches())
                || (Method.POST.equals(method) && READ.matcher(path).matches());
        Optional<Requester> who = counts ? requester(req) : Optional.empty();
        chain.proceed();
        if (who.isPresent() && res.status().code() / 100 == 2) {
            presence.active(who.get().userId());
        }
    }

    // A missing or bad token is the handler's to answer (401).
    private Optional<Requester> requester(RoutingRequest req) {
        try {
            return auth.optional(req);
        } catch (MatrixException e) {
            return Optional.empty();
        }
    }
}
