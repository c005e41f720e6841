package org.hearth.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;
import org.hearth.core.account.AccessTokens;
import org.hearth.core.account.Session;
import org.hearth.core.appservice.AppService;
import org.hearth.core.appservice.AppServices;
import java.util.function.Predicate;
import org.hearth.spec.id.UserId;
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
    private volatile AppServices appServices = AppServices.NONE;
    private volatile Predicate<UserId> userExists = u -> false;
    private volatile java.util.function.BiPredicate<UserId, String> deviceExists = (u, d) -> false;

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

    /** Set at start: the appservices whose {@code as_token}s are accepted, and who exists (for user assertion). */
    public void appServices(AppServices appServices, Predicate<UserId> userExists,
                            java.util.function.BiPredicate<UserId, String> deviceExists) {
        this.appServices = appServices;
        this.userExists = userExists;
        this.deviceExists = deviceExists;
    }

    @Override
    public Requester require(ServerRequest request) {
        String token = token(request).orElseThrow(() -> new MatrixException(ErrorCode.MISSING_TOKEN, "Missing access token"));
        return requester(request, token);
    }

    @Override
    public Optional<Requester> optional(ServerRequest request) {
        return token(request).map(t -> requester(request, t));
    }

    /**
     * Kept for the rest of the request, so a filter that already asked (presence activity) costs the handler nothing.
     * Helidon makes a new context per request (checked over one keep-alive connection, Helidon 4.5.0 without the
     * context feature); the token is compared all the same, so a context that outlived its request could never
     * hand one user's requester to another's token.
     */
    private record Known(String token, Requester requester) {}

    private Requester requester(ServerRequest request, String token) {
        Optional<Known> known = request.context().get(Known.class);
        if (known.isPresent() && known.get().token().equals(token)) {
            return known.get().requester();
        }
        Requester requester;
        Optional<AppService> as = appServices.byAsToken(token);
        if (as.isPresent()) {
            UserId user = assertedUser(request, as.get());
            requester = new Requester(user, assertedDevice(request, user), false, as.get());
        } else {
            requester = requester(checked(request, tokens.authenticate(token, ip(request), userAgent(request))));
        }
        request.context().register(new Known(token, requester));
        return requester;
    }

    /** The appservice whose {@code as_token} the request carries, if it carries one. */
    public Optional<AppService> appService(ServerRequest request) {
        return token(request).flatMap(appServices::byAsToken);
    }

    /** The full session (with the token's digest), for the account routes that end it. */
    public Session session(ServerRequest request) {
        String token = token(request).orElseThrow(() -> new MatrixException(ErrorCode.MISSING_TOKEN, "Missing access token"));
        Optional<AppService> as = appServices.byAsToken(token);
        if (as.isPresent()) {
            // An appservice's user has no access token of its own, hence no digest: nothing for logout to end.
            UserId user = assertedUser(request, as.get());
            return new Session(user, assertedDevice(request, user), false, false, null, null);
        }
        return checked(request, tokens.authenticate(token, ip(request), userAgent(request)));
    }

    /**
     * Spec "Identity assertion": the {@code user_id} query parameter, else the registration's sender; a user outside
     * the namespaces, or one not registered yet, is refused 403 {@code M_FORBIDDEN} as Synapse does (bridges read
     * that answer from whoami as "register this user first").
     */
    /** Spec v1.17: {@code device_id} names one of the asserted user's devices, else 400 {@code M_UNKNOWN_DEVICE}. */
    private String assertedDevice(ServerRequest request, UserId user) {
        Optional<String> device = request.query().first("device_id").asOptional();
        if (device.isEmpty()) {
            return null;
        }
        if (!deviceExists.test(user, device.get())) {
            throw new MatrixException(ErrorCode.UNKNOWN_DEVICE, "Unknown device " + device.get() + " for " + user.value());
        }
        return device.get();
    }

    private UserId assertedUser(ServerRequest request, AppService as) {
        Optional<String> asserted = request.query().first("user_id").asOptional();
        if (asserted.isEmpty() || asserted.get().equals(as.sender().value())) {
            return as.sender();
        }
        UserId user = UserId.tryParse(asserted.get()).orElseThrow(
                () -> new MatrixException(ErrorCode.INVALID_PARAM, "user_id is not a valid user ID"));
        if (!as.isInterestedInUser(user.value())) {
            throw new MatrixException(ErrorCode.FORBIDDEN,
                    "Application service cannot masquerade as this user (" + user.value() + ").");
        }
        if (!userExists.test(user)) {
            throw new MatrixException(ErrorCode.FORBIDDEN,
                    "Application service has not registered this user (" + user.value() + ")");
        }
        return user;
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
