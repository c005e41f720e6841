package org.hearth.server.http;

import io.helidon.http.Method;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hearth.core.account.Session;
import org.hearth.core.admin.ServerAdministration;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Spec "Account locking": a locked user gets 401 {@code M_USER_LOCKED} on every request but logging out. Spec
 * "Account suspension": a suspended user keeps reading, syncing, key backup, leaving, redacting their own events
 * and managing devices, but gets 403 {@code M_USER_SUSPENDED} for the spec's recommended list of forbidden actions:
 * joining and knocking, invites, sending events (and creating or upgrading rooms, which sends them), profile
 * changes, and redacting other users' events.
 */
public final class AccountModerationGate implements TokenAuthenticator.AccountGate {
    private static final String CLIENT = "^/_matrix/client/(?:v3|r0)";
    private static final Pattern LOGOUT = Pattern.compile(CLIENT + "/logout(?:/all)?$");
    private static final List<Pattern> SUSPENDED_POST = List.of(
            Pattern.compile(CLIENT + "/join/[^/]+$"),
            Pattern.compile(CLIENT + "/knock/[^/]+$"),
            Pattern.compile(CLIENT + "/rooms/[^/]+/(?:join|invite|knock|upgrade)$"),
            Pattern.compile(CLIENT + "/createRoom$"));
    // Through /send even a redaction is refused: /redact, which checks the target's sender, stays open.
    private static final List<Pattern> SUSPENDED_PUT = List.of(
            Pattern.compile(CLIENT + "/rooms/[^/]+/send/.+$"),
            Pattern.compile(CLIENT + "/rooms/[^/]+/state/.+$"),
            Pattern.compile(CLIENT + "/profile/[^/]+/.+$"));
    private static final Pattern REDACT = Pattern.compile(CLIENT + "/rooms/[^/]+/redact/(.+)/[^/]+$");

    private final ServerAdministration administration;
    private final Function<String, Optional<String>> eventSender;

    public AccountModerationGate(ServerAdministration administration, Function<String, Optional<String>> eventSender) {
        this.administration = administration;
        this.eventSender = eventSender;
    }

    @Override
    public void check(ServerRequest request, Session session) {
        var restrictions = administration.restrictions(session.userId());
        if (!restrictions.locked() && !restrictions.suspended()) {
            return;
        }
        String path = request.path().absolute().path();
        Method method = request.prologue().method();
        if (restrictions.locked()) {
            if (!(Method.POST.equals(method) && LOGOUT.matcher(path).find())) {
                throw new MatrixException(ErrorCode.USER_LOCKED, "This account has been locked");
            }
            return;
        }
        if (forbiddenWhileSuspended(method, path, session)) {
            throw new MatrixException(ErrorCode.USER_SUSPENDED, "You cannot perform this action while suspended");
        }
    }

    private boolean forbiddenWhileSuspended(Method method, String path, Session session) {
        if (Method.POST.equals(method)) {
            return SUSPENDED_POST.stream().anyMatch(p -> p.matcher(path).find());
        }
        if (Method.PUT.equals(method)) {
            if (SUSPENDED_PUT.stream().anyMatch(p -> p.matcher(path).find())) {
                return true;
            }
            Matcher redact = REDACT.matcher(path);
            // An unknown event is left to the handler's own 404.
            return redact.find() && eventSender.apply(redact.group(1))
                    .filter(sender -> !sender.equals(session.userId().value())).isPresent();
        }
        return false;
    }
}
