package org.hearth.server.client;

import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hearth.core.ratelimit.RateLimiter;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.MatrixException;

/**
 * Per-user rate limits on room actions (spec: "Rate limiting"; Synapse's rc_message and rc_joins): a request over
 * its user's bucket answers 429 {@code M_LIMIT_EXCEEDED} with {@code retry_after_ms} (and Retry-After) before its
 * handler runs, so it changes nothing. One filter names every limited endpoint, rather than each handler.
 */
public final class RoomRateLimits implements Filter {
    // PUT /rooms/{roomId}/send|state|redact/...: every event a client sends.
    private static final Pattern SEND = Pattern.compile("^/_matrix/client/(?:v3|r0)/rooms/[^/]+/(?:send|state|redact)/.*");
    // POST /join/{roomIdOrAlias}, /rooms/{roomId}/join, /rooms/{roomId}/invite.
    private static final Pattern JOIN = Pattern.compile(
            "^/_matrix/client/(?:v3|r0)/(?:join/[^/]+|rooms/[^/]+/(?:join|invite))/?$");
    // Managing delayed events (MSC4140): listing, cancel, restart, send. MatrixRTC clients restart every few
    // seconds, so these have their own bucket (Synapse's rc_delayed_event_mgmt) rather than the messages one.
    private static final Pattern DELAYED = Pattern.compile(
            "^/_matrix/client/unstable/org\\.matrix\\.msc4140/delayed_events(?:/.*)?$");
    // Synapse's defaults of rc_delayed_event_mgmt.
    private static final double DELAYED_PER_SECOND = 1;
    private static final int DELAYED_BURST = 5;

    private final Authenticator auth;
    private final RateLimiter messages;
    private final RateLimiter joins;
    private final RateLimiter delayed;

    RoomRateLimits(Authenticator auth, RateLimiter messages, RateLimiter joins, RateLimiter delayed) {
        this.auth = auth;
        this.messages = messages;
        this.joins = joins;
        this.delayed = delayed;
    }

    public static RoomRateLimits from(Authenticator auth, HearthConfig.Limits limits) {
        return new RoomRateLimits(auth,
                new RateLimiter(limits.messages().perSecond(), limits.messages().burst(), limits.rateLimits()),
                new RateLimiter(limits.joins().perSecond(), limits.joins().burst(), limits.rateLimits()),
                new RateLimiter(DELAYED_PER_SECOND, DELAYED_BURST, limits.rateLimits()));
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        Method method = req.prologue().method();
        String path = req.path().path();
        RateLimiter limiter = Method.PUT.equals(method) && SEND.matcher(path).matches() ? messages
                : Method.POST.equals(method) && JOIN.matcher(path).matches() ? joins
                : DELAYED.matcher(path).matches() ? delayed : null;
        if (limiter != null) {
            requester(req).filter(who -> !exempt(who)).ifPresent(who -> limiter.acquire(who.userId().value()));
        }
        chain.proceed();
    }

    // A missing or bad token is the handler's to answer (401); this filter only counts known users.
    private Optional<Requester> requester(RoutingRequest req) {
        try {
            return auth.optional(req);
        } catch (MatrixException e) {
            return Optional.empty();
        }
    }

    // An appservice registered with rate_limited: false, as its sender or as any user it acts as (as Synapse).
    private static boolean exempt(Requester who) {
        return who.exemptFromRateLimits();
    }
}
