package org.hearth.core.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbExecute;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;

/**
 * Access and refresh tokens (spec: "Client authentication", "Refreshing access tokens"). Tokens are
 * {@code hth_} + 256 random bits; the database keeps their SHA-256 only. Lookups are cached for a short time;
 * logouts in this process invalidate at once, other processes sharing the database see them within {@link #CACHE_TTL}.
 */
public final class AccessTokens {
    static final String ACCESS_PREFIX = "hth_";
    static final String REFRESH_PREFIX = "hthr_";
    // Synapse's default for refreshable access tokens.
    static final Duration REFRESHABLE_LIFETIME = Duration.ofMinutes(5);
    static final Duration CACHE_TTL = Duration.ofSeconds(30);
    // last_seen is written at most this often per token: one write per request would double the load of a sync loop.
    static final Duration SEEN_INTERVAL = Duration.ofMinutes(1);
    // The column's width: a longer user agent is cut, not refused.
    static final int MAX_USER_AGENT = 512;

    /** The message of an expired token's M_UNKNOWN_TOKEN: the HTTP layer answers it with soft_logout true. */
    public static final String EXPIRED = "Access token has expired";

    private final Database database;
    private final DeviceRepository devices = new DeviceRepository();
    private final Clock clock;
    private final Cache<String, Session> cache = Caffeine.newBuilder()
            .expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();
    // Counts forget() calls: a lookup that overlapped one does not cache what it read.
    private final java.util.concurrent.atomic.AtomicLong forgets = new java.util.concurrent.atomic.AtomicLong();
    private final Cache<String, Boolean> recentlySeen = Caffeine.newBuilder()
            .expireAfterWrite(SEEN_INTERVAL).maximumSize(100_000).build();

    public AccessTokens(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** The session of {@code token}; {@code M_UNKNOWN_TOKEN} when unknown, expired or its user deactivated. */
    public Session authenticate(String token, String ip) {
        return authenticate(token, ip, null);
    }

    /** As {@link #authenticate(String, String)}, recording the client's user agent with its address (spec "whois"). */
    public Session authenticate(String token, String ip, String userAgent) {
        String hash = Tokens.digest(token);
        Session session = cache.getIfPresent(hash);
        if (session == null) {
            // Read outside the cache's compute: that holds a hash-bin lock through the query, and every request
            // whose token shares the bin spun on it (8% of the server's CPU in the fanout benchmark). A lookup
            // overlapping a logout is not cached, so a deleted token is never cached again.
            long seenForgets = forgets.get();
            session = devices.findToken(database.execute(), hash).orElse(null);
            if (session != null && forgets.get() == seenForgets && cache.asMap().putIfAbsent(hash, session) == null
                    && forgets.get() != seenForgets) {
                cache.asMap().remove(hash, session);
            }
        }
        if (session == null) {
            throw new MatrixException(ErrorCode.UNKNOWN_TOKEN, "Unknown access token");
        }
        if (session.expiresTs() != null && session.expiresTs() <= clock.millis()) {
            throw new MatrixException(ErrorCode.UNKNOWN_TOKEN, EXPIRED);
        }
        if (session.deactivated()) {
            throw new MatrixException(ErrorCode.UNKNOWN_TOKEN, "This account has been deactivated");
        }
        if (recentlySeen.asMap().putIfAbsent(hash, Boolean.TRUE) == null) {
            devices.seen(database.execute(), session.userId(), session.deviceId(), clock.millis(), ip,
                    userAgent == null ? null : userAgent.substring(0, Math.min(userAgent.length(), MAX_USER_AGENT)));
        }
        return session;
    }

    /** A new access token (and refresh token when asked) for the device, inside the caller's transaction. */
    LoginResult issue(DbExecute tx, UserId user, String deviceId, boolean refreshable) {
        long now = clock.millis();
        String access = Tokens.secret(ACCESS_PREFIX);
        String accessHash = Tokens.digest(access);
        if (!refreshable) {
            devices.insertToken(tx, accessHash, user, deviceId, now, null);
            return new LoginResult(user, deviceId, access, null, null);
        }
        devices.insertToken(tx, accessHash, user, deviceId, now, now + REFRESHABLE_LIFETIME.toMillis());
        String refresh = Tokens.secret(REFRESH_PREFIX);
        devices.insertRefreshToken(tx, Tokens.digest(refresh), user, deviceId, accessHash, now);
        return new LoginResult(user, deviceId, access, refresh, REFRESHABLE_LIFETIME.toMillis());
    }

    /**
     * Spec "POST /refresh": the refresh token is used up and replaced, together with the access token it came with.
     * {@code M_UNKNOWN_TOKEN} (401) for an unknown or used refresh token.
     */
    public LoginResult refresh(String refreshToken) {
        String hash = Tokens.digest(refreshToken);
        var result = database.transaction(tx -> {
            var row = devices.lockRefreshToken(tx, hash)
                    .orElseThrow(() -> new MatrixException(ErrorCode.UNKNOWN_TOKEN, "Unknown refresh token"));
            if (row.deactivated()) {
                throw new MatrixException(ErrorCode.UNKNOWN_TOKEN, "This account has been deactivated");
            }
            devices.deleteRefreshToken(tx, hash);
            devices.deleteToken(tx, row.accessTokenHash());
            return new Refreshed(issue(tx, row.userId(), row.deviceId(), true), row.accessTokenHash());
        });
        forget(java.util.List.of(result.replacedAccessTokenHash()));
        return result.login();
    }

    private record Refreshed(LoginResult login, String replacedAccessTokenHash) {}

    /** Drops cached lookups of tokens just deleted; call after the deleting transaction committed. */
    void forget(Collection<String> tokenHashes) {
        forgets.incrementAndGet();
        cache.invalidateAll(tokenHashes);
    }

    Optional<Session> cached(String tokenHash) {
        return Optional.ofNullable(cache.getIfPresent(tokenHash));
    }
}
