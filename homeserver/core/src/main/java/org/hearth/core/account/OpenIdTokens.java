package org.hearth.core.account;

import static org.hearth.core.storage.Rows.params;
import static org.hearth.core.storage.Rows.str;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.hearth.core.storage.Database;
import org.hearth.spec.id.UserId;

/**
 * Spec "OpenID": a user's proof of identity for third parties ({@code POST /user/{userId}/openid/request_token}),
 * checked by them through the federation {@code GET /openid/userinfo}. Valid one hour, as Synapse issues them.
 */
public final class OpenIdTokens {
    public static final Duration LIFETIME = Duration.ofHours(1);

    private final Database database;
    private final Clock clock;

    public OpenIdTokens(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    public record Issued(String accessToken, long expiresInSeconds) {}

    public Issued issue(UserId user) {
        String token = Tokens.secret("oid_");
        long now = clock.millis();
        database.transaction(tx -> {
            tx.createNamedDelete("openid-token-purge").params(params("now", now)).execute();
            tx.createNamedInsert("openid-token-insert").params(params("token_digest", Tokens.digest(token),
                    "user_id", user.value(), "expires_ts", now + LIFETIME.toMillis())).execute();
            return null;
        });
        return new Issued(token, LIFETIME.toSeconds());
    }

    /** The token's user while it is valid. */
    public Optional<UserId> user(String token) {
        return database.execute().createNamedGet("openid-token-get").params(params("token_digest", Tokens.digest(token),
                "now", clock.millis())).execute().map(r -> UserId.parse(str(r, "user_id")));
    }
}
