package org.hearth.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import org.hearth.core.account.AccessTokens;
import org.hearth.core.account.Session;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * {@link Authenticator} over the access tokens of core: the {@code Authorization: Bearer} header, else the
 * deprecated {@code access_token} query parameter (spec "Using access tokens"). Deactivated users' tokens are
 * refused like unknown ones.
 */
public final class TokenAuthenticator implements Authenticator {
    private static final String BEARER = "Bearer ";

    private final AccessTokens tokens;
    private volatile AccountGate gate = AccountGate.OPEN;

    public TokenAuthenticator(AccessTokens tokens) {
        this.tokens = tokens;
    }

    /** Decides, once a token is valid, whether its user may make this request (account locking and suspension). */
    public interface AccountGate {
        AccountGate OPEN = (request, session) -> {};

        void check(ServerRequest request, Session session);
    }

    /** Set once the parts the gate reads exist (the rooms are built after the accounts). */
    public void gate(AccountGate gate) {
        this.gate = gate;
    }

    @Override
    public Requester require(ServerRequest request) {
        return requester(session(request));
    }

    @Override
    public Optional<Requester> optional(ServerRequest request) {
        return token(request).map(t -> requester(checked(request, tokens.authenticate(t, ip(request), userAgent(request)))));
    }

    /** The full session (with the token's digest), for the account routes that end it. */
    public Session session(ServerRequest request) {
        String token = token(request).orElseThrow(() -> new MatrixException(ErrorCode.MISSING_TOKEN, "Missing access token"));
        return checked(request, tokens.authenticate(token, ip(request), userAgent(request)));
    }

    private Session checked(ServerRequest request, Session session) {
        gate.check(request, session);
        return session;
    }

    private static Requester requester(Session s) {
        return new Requester(s.userId(), s.deviceId(), s.admin());
    }

    private static Optional<String> token(ServerRequest request) {
        var header = request.headers().first(HeaderNames.AUTHORIZATION);
        if (header.isPresent()) {
            String value = header.get();
            if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length()) || value.length() == BEARER.length()) {
                throw new MatrixException(ErrorCode.MISSING_TOKEN, "Authorization header must be 'Bearer <access token>'");
            }
            return Optional.of(value.substring(BEARER.length()).strip());
        }
        return request.query().first("access_token").asOptional().filter(t -> !t.isEmpty());
    }

    private static String userAgent(ServerRequest request) {
        return request.headers().first(HeaderNames.USER_AGENT).orElse(null);
    }

    /** The client's address, for the device list's last_seen_ip. */
    public static String ip(ServerRequest request) {
        SocketAddress address = request.remotePeer().address();
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return null;
    }
}
