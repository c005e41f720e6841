package org.hearth.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * Spec, Client-Server API, "Web Browser Clients": CORS headers on every response, and OPTIONS answered
 * without running any endpoint logic, on every path (known or not).
 */
public final class Cors implements Filter {
    static final String ALLOW_ORIGIN = "*";
    static final String ALLOW_METHODS = "GET, POST, PUT, DELETE, OPTIONS";
    static final String ALLOW_HEADERS = "X-Requested-With, Content-Type, Authorization";

    static void addHeaders(ServerResponseHeaders headers) {
        headers.set(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, ALLOW_ORIGIN);
        headers.set(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
        headers.set(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        addHeaders(res.headers());
        if (Method.OPTIONS.equals(req.prologue().method())) {
            res.status(Status.NO_CONTENT_204).send();
            return;
        }
        chain.proceed();
    }
}
