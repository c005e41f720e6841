package org.hearth.core.account;

import io.helidon.dbclient.DbExecute;
import java.time.Duration;
import java.util.Optional;
import org.hearth.core.storage.Rows;
import org.hearth.spec.id.UserId;

/**
 * Spec "POST /login/get_token" and the {@code m.login.token} login: single-use, short-lived tokens, stored only as
 * their SHA-256 digest.
 */
final class LoginTokens {
    static final String PREFIX = "hthl_";
    /** The spec's recommended default. */
    static final Duration LIFETIME = Duration.ofMinutes(2);

    /** A new token for {@code user}, valid until {@code now + LIFETIME}. */
    String issue(DbExecute tx, UserId user, long now) {
        String token = Tokens.secret(PREFIX);
        tx.createNamedInsert("login-token-insert").addParam("token_hash", Tokens.digest(token))
                .addParam("user_id", user.value()).addParam("expires_ts", now + LIFETIME.toMillis()).execute();
        // Expired tokens of anyone are dropped here, so the table stays as small as the tokens in flight.
        tx.createNamedDelete("login-token-delete-expired").addParam("now", now).execute();
        return token;
    }

    /** The token's user if it is known and unexpired; either way it is used up (inside the login's transaction). */
    Optional<UserId> consume(DbExecute tx, String token, long now) {
        String hash = Tokens.digest(token);
        var row = tx.createNamedGet("login-token-get-for-update").addParam("token_hash", hash).execute();
        if (row.isEmpty()) {
            return Optional.empty();
        }
        tx.createNamedDelete("login-token-delete").addParam("token_hash", hash).execute();
        if (Rows.lng(row.get(), "expires_ts") <= now) {
            return Optional.empty();
        }
        return Optional.of(UserId.parse(Rows.str(row.get(), "user_id")));
    }
}
