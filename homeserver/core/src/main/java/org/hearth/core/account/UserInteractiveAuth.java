package org.hearth.core.account;

import org.hearth.core.storage.Rows;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec "User-interactive authentication API". Sessions live in the database ({@code uia_sessions}), bound to the
 * operation and user they were started for, so a multi-step flow survives restarts and another process, and a
 * session started to change a password cannot delete devices.
 */
public final class UserInteractiveAuth {
    // Synapse keeps UI auth sessions for the same order of time (ui_auth.session_timeout is separate and 0 by default).
    static final Duration SESSION_LIFETIME = Duration.ofMinutes(30);

    private final Database database;
    private final Clock clock;
    private final ServerName serverName;
    private final AccountRepository accounts = new AccountRepository();
    private final RegistrationTokens registrationTokens;

    public UserInteractiveAuth(Database database, Clock clock, ServerName serverName, RegistrationTokens registrationTokens) {
        this.database = database;
        this.clock = clock;
        this.serverName = serverName;
        this.registrationTokens = registrationTokens;
    }

    /** All stages done: the caller performs the operation and calls {@link #finish} in the same transaction. */
    public record Completed(String sessionId, String registrationToken) {}

    private record Stored(String operation, String userId, Set<String> completed, String registrationToken, long createdTs) {}

    /**
     * Runs the stage in {@code auth} (null: none yet) and returns when a flow is complete; otherwise throws
     * {@link AuthRequired} (401) with the flows and the session to continue.
     */
    public Completed authenticate(String operation, UserId user, UiaFlows flows, JsonObject auth) {
        if (auth == null) {
            throw new AuthRequired(flows.challenge(start(operation, user), List.of(), null, null));
        }
        String sessionId = Json.optionalString(auth, "session").orElse(null);
        Stored stored;
        if (sessionId == null) {
            sessionId = start(operation, user);
            stored = new Stored(operation, user == null ? null : user.value(), Set.of(), null, clock.millis());
        } else {
            stored = load(sessionId).orElseThrow(() -> new MatrixException(ErrorCode.UNKNOWN, "Unknown session ID"));
            if (!stored.operation().equals(operation) || (user != null && !user.value().equals(stored.userId()))) {
                throw new MatrixException(ErrorCode.FORBIDDEN, "This session was started for another request");
            }
        }
        Set<String> completed = new LinkedHashSet<>(stored.completed());
        Optional<String> type = Json.optionalString(auth, "type");
        if (type.isPresent()) {
            String stage = type.get();
            if (!flows.offers(stage)) {
                throw new AuthRequired(flows.challenge(sessionId, completed, ErrorCode.UNRECOGNIZED,
                        "Authentication type " + stage + " is not offered here"));
            }
            String token = null;
            try {
                token = check(stage, user, auth);
            } catch (MatrixException failed) {
                throw new AuthRequired(flows.challenge(sessionId, completed, failed.code(), failed.getMessage()));
            }
            completed.add(stage);
            if (!save(sessionId, completed, token, stored.registrationToken())) {
                completed.remove(stage);
                throw new AuthRequired(flows.challenge(sessionId, completed, ErrorCode.UNAUTHORIZED,
                        "Registration token has been used up"));
            }
        }
        if (!flows.satisfiedBy(completed)) {
            throw new AuthRequired(flows.challenge(sessionId, completed, null, null));
        }
        String token = stored.registrationToken();
        if (token == null && completed.contains(UiaFlows.REGISTRATION_TOKEN)) {
            token = load(sessionId).map(Stored::registrationToken).orElse(null);
        }
        return new Completed(sessionId, token);
    }

    /** Ends the session inside the operation's transaction: a failed operation leaves it to be retried. */
    public void finish(DbExecute tx, Completed done) {
        tx.createNamedDelete("uia-delete").addParam("session_id", done.sessionId()).execute();
    }

    /** Returns the registration token accepted by the stage, else null; throws the stage's failure. */
    private String check(String stage, UserId user, JsonObject auth) {
        return switch (stage) {
            case UiaFlows.DUMMY -> null;
            case UiaFlows.PASSWORD -> {
                UserId claimed = LoginIdentifiers.user(auth, serverName);
                if (user == null || !claimed.equals(user)) {
                    throw new MatrixException(ErrorCode.FORBIDDEN, "Authentication must be for the logged-in user");
                }
                String password = Json.requiredString(auth, "password");
                Account account = accounts.find(database.execute(), user).orElse(null);
                if (account == null || account.deactivated() || !PasswordHasher.verify(password, account.passwordHash())) {
                    throw new MatrixException(ErrorCode.FORBIDDEN, "Invalid password");
                }
                yield null;
            }
            case UiaFlows.REGISTRATION_TOKEN -> {
                String token = Json.requiredString(auth, "token");
                if (!registrationTokens.valid(database.execute(), token)) {
                    throw new MatrixException(ErrorCode.UNAUTHORIZED, "Invalid registration token");
                }
                yield token;
            }
            default -> throw new MatrixException(ErrorCode.UNRECOGNIZED, "Unknown authentication type " + stage);
        };
    }

    private String start(String operation, UserId user) {
        String id = Tokens.id(18);
        long now = clock.millis();
        database.transaction(tx -> {
            expire(tx, now);
            tx.createNamedInsert("uia-insert").addParam("session_id", id).addParam("operation", operation)
                    .addParam("user_id", user == null ? null : user.value()).addParam("completed", "[]")
                    .addParam("created_ts", now).execute();
            return null;
        });
        return id;
    }

    private Optional<Stored> load(String sessionId) {
        long oldest = clock.millis() - SESSION_LIFETIME.toMillis();
        return database.execute().createNamedGet("uia-get-for-update").addParam("session_id", sessionId).execute()
                .map(UserInteractiveAuth::stored)
                .filter(s -> s.createdTs() >= oldest);
    }

    /** False when the registration token could not be reserved (used up meanwhile). */
    private boolean save(String sessionId, Set<String> completed, String newToken, String oldToken) {
        var array = Json.arrayBuilder();
        completed.forEach(array::add);
        String completedJson = array.build().toString();
        return database.transaction(tx -> {
            String token = oldToken;
            if (newToken != null && !newToken.equals(oldToken)) {
                // The token counts as pending from now until the registration completes or the session expires.
                if (!registrationTokens.reserve(tx, newToken)) {
                    return false;
                }
                if (oldToken != null) {
                    registrationTokens.release(tx, oldToken);
                }
                token = newToken;
            }
            tx.createNamedUpdate("uia-update").addParam("session_id", sessionId).addParam("completed", completedJson)
                    .addParam("registration_token", token).execute();
            return true;
        });
    }

    private void expire(DbExecute tx, long now) {
        List<DbRow> expired = tx.createNamedQuery("uia-list-expired").addParam("before", now - SESSION_LIFETIME.toMillis())
                .execute().toList();
        for (DbRow row : expired) {
            String token = Rows.string(row, "registration_token");
            if (token != null) {
                registrationTokens.release(tx, token);
            }
            tx.createNamedDelete("uia-delete").addParam("session_id", Rows.string(row, "session_id")).execute();
        }
    }

    private static Stored stored(DbRow row) {
        Set<String> completed = new LinkedHashSet<>();
        for (var v : Json.parse(Rows.string(row, "completed")).asJsonArray()) {
            completed.add(((JsonString) v).getString());
        }
        return new Stored(Rows.string(row, "operation"), Rows.string(row, "user_id"), completed,
                Rows.string(row, "registration_token"), Rows.longValue(row, "created_ts"));
    }
}
