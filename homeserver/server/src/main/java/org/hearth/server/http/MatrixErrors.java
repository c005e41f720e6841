package org.hearth.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import org.hearth.core.account.AccessTokens;
import org.hearth.core.account.AuthRequired;
import org.hearth.core.ratelimit.RateLimited;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Every error of both listeners in the spec's shape ({@code {"errcode","error"}}, "Standard error response"),
 * from one place: exceptions thrown by handlers, unknown paths, wrong methods, and the errors Helidon answers
 * before routing (malformed requests, bodies over the size limit).
 */
public final class MatrixErrors {
    private static final Logger LOG = System.getLogger(MatrixErrors.class.getName());

    private MatrixErrors() {}

    /** Error handlers and the catch-all; call after registering every route of {@code routing}. */
    public static void install(HttpRouting.Builder routing) {
        routing.error(MatrixException.class, MatrixErrors::matrixException)
                .error(AuthRequired.class, (req, res, e) -> Reply.json(res, 401, e.body()))
                .error(RateLimited.class, (req, res, e) -> {
                    res.header(io.helidon.http.HeaderNames.RETRY_AFTER, Long.toString((e.retryAfterMs() + 999) / 1000));
                    Reply.json(res, 429, org.hearth.spec.json.Json.objectBuilder(
                                    Reply.errorBody(ErrorCode.LIMIT_EXCEEDED.errcode(), e.getMessage()))
                            .add("retry_after_ms", e.retryAfterMs()).build());
                })
                .error(org.hearth.core.media.StorageQuotaExceeded.class, (req, res, e) -> Reply.json(res, 403,
                        org.hearth.spec.json.Json.objectBuilder(Reply.errorBody("M_USER_LIMIT_EXCEEDED", e.getMessage()))
                                .add("info_uri", e.infoUri()).add("can_upgrade", false).build()))
                .error(HttpException.class, MatrixErrors::httpException)
                .error(Throwable.class, MatrixErrors::unexpected)
                .any((req, res) -> answer(req, res, 404, ErrorCode.UNRECOGNIZED.errcode(), "Unrecognized request"));
    }

    private static void matrixException(ServerRequest req, ServerResponse res, MatrixException e) {
        if ((e.code() == ErrorCode.UNKNOWN_TOKEN || e.code() == ErrorCode.USER_LOCKED)
                && !Method.HEAD.equals(req.prologue().method())) {
            // Spec "Soft logout": true only for an expired (refreshable) token, whose device and data remain, and
            // for a locked account ("Account locking"); false tells the client its session is gone.
            boolean soft = e.code() == ErrorCode.USER_LOCKED || AccessTokens.EXPIRED.equals(e.getMessage());
            Reply.json(res, e.status(), org.hearth.spec.json.Json.objectBuilder(Reply.errorBody(e.code().errcode(), e.getMessage()))
                    .add("soft_logout", soft).build());
            return;
        }
        answer(req, res, e.status(), e.code().errcode(), e.getMessage());
    }

    private static void answer(ServerRequest req, ServerResponse res, int status, String errcode, String message) {
        if (Method.HEAD.equals(req.prologue().method())) {
            // A body after a HEAD answer would be read as the start of the next response on this connection.
            res.status(Status.create(status)).send();
            return;
        }
        Reply.error(res, status, errcode, message);
    }

    /**
     * For {@code rules.any(path, MatrixErrors::wrongMethod)} after a path's methods: the spec answers a known
     * endpoint called with another method 405 M_UNRECOGNIZED, an unknown endpoint 404.
     */
    public static void wrongMethod(ServerRequest req, ServerResponse res) {
        throw new MatrixException(ErrorCode.UNRECOGNIZED, 405,
                "Unrecognized request: " + req.prologue().method().text() + " is not allowed on this endpoint");
    }

    // Helidon's own exceptions while reading a request inside routing (e.g. the body stream over the limit).
    private static void httpException(ServerRequest req, ServerResponse res, HttpException e) {
        int status = e.status().code();
        if (status >= 500) {
            unexpected(req, res, e);
            return;
        }
        answer(req, res, status, codeFor(status).errcode(), messageFor(status));
    }

    private static void unexpected(ServerRequest req, ServerResponse res, Throwable e) {
        // The cause stays in our log; the client gets no stack trace or internals.
        LOG.log(Level.ERROR, "request failed: " + req.prologue().method().text() + " " + req.path().path(), e);
        if (!res.isSent()) {
            answer(req, res, 500, ErrorCode.UNKNOWN.errcode(), "Internal server error");
        }
    }

    /** Errors Helidon answers itself, before any route runs: same shape as ours. */
    public static DirectHandlers directHandlers() {
        DirectHandler handler = MatrixErrors::direct;
        var builder = DirectHandlers.builder();
        for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    private static DirectHandler.TransportResponse direct(DirectHandler.TransportRequest request,
                                                          DirectHandler.EventType type,
                                                          Status status,
                                                          io.helidon.http.ServerResponseHeaders headers,
                                                          String message) {
        int code = status.code();
        if (code >= 500) {
            LOG.log(Level.WARNING, "request failed before routing: " + request.protocolVersion() + " " + request.path()
                    + ": " + message);
        }
        byte[] body = Reply.errorBody(codeFor(code).errcode(), messageFor(code)).toString().getBytes(StandardCharsets.UTF_8);
        headers.set(HeaderNames.CONTENT_TYPE, "application/json");
        // Routing (and so the CORS filter) never ran: without these a browser sees an opaque network error.
        Cors.addHeaders(headers);
        return DirectHandler.TransportResponse.builder()
                .status(status)
                .headers(headers)
                .entity(body)
                .keepAlive(type.keepAlive())
                .build();
    }

    static ErrorCode codeFor(int status) {
        return switch (status) {
            case 413 -> ErrorCode.TOO_LARGE;
            case 404, 405 -> ErrorCode.UNRECOGNIZED;
            case 403 -> ErrorCode.FORBIDDEN;
            default -> ErrorCode.UNKNOWN;
        };
    }

    private static String messageFor(int status) {
        return switch (status) {
            case 413 -> "Request body is too large";
            case 404, 405 -> "Unrecognized request";
            case 400 -> "Malformed HTTP request";
            default -> status >= 500 ? "Internal server error" : "Request refused (HTTP " + status + ")";
        };
    }
}
