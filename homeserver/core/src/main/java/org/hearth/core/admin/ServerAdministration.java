package org.hearth.core.admin;

import org.hearth.core.storage.Rows;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.helidon.dbclient.DbRow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/**
 * The spec's server administration of accounts (Client-Server API, "Server Administration", "Account locking",
 * "Account suspension"): whois, and the lock and suspension flags every authenticated request consults.
 */
public final class ServerAdministration {
    // As the access-token cache: a change made here applies at once; one made by another process within this time.
    static final Duration CACHE_TTL = Duration.ofSeconds(30);

    private final Database database;
    private final ServerName serverName;
    // Counts lock and suspension changes: a read that overlapped one does not cache what it read.
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
    private final Cache<String, Restrictions> cache = Caffeine.newBuilder()
            .expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();

    public ServerAdministration(Database database, ServerName serverName) {
        this.database = database;
        this.serverName = serverName;
    }

    /** The last connection seen on a device; fields are null when never seen. */
    public record Connection(String ip, Long lastSeen, String userAgent) {}

    /**
     * Spec "GET /admin/whois/{userId}": each device of a local user with its last connection (Hearth records one per
     * device, written at most once a minute). A local user without devices, or unknown, has none, as in Synapse.
     */
    public Map<String, Connection> whois(UserId user) {
        requireLocal(user);
        Map<String, Connection> devices = new LinkedHashMap<>();
        try (var rows = database.execute().createNamedQuery("admin-whois-devices").addParam("user_id", user.value()).execute()) {
            rows.forEach(r -> devices.put(Rows.string(r, "device_id"), new Connection(Rows.string(r, "last_seen_ip"),
                    Rows.nullableLong(r, "last_seen_ts"), Rows.string(r, "last_seen_user_agent"))));
        }
        return devices;
    }

    /** Whether a user is locked or suspended; unknown users are neither. */
    public record Restrictions(boolean locked, boolean suspended) {
        public static final Restrictions NONE = new Restrictions(false, false);
    }

    public Restrictions restrictions(UserId user) {
        Restrictions cached = cache.getIfPresent(user.value());
        if (cached != null) {
            return cached;
        }
        // Read outside the cache's compute, which holds a hash-bin lock through the query (requests of other users
        // spun on it); a read overlapping a lock or suspension change is not cached.
        long seenChanges = changes.get();
        Restrictions read = account(user).map(a -> new Restrictions(a.locked(), a.suspended())).orElse(Restrictions.NONE);
        if (changes.get() == seenChanges && cache.asMap().putIfAbsent(user.value(), read) == null
                && changes.get() != seenChanges) {
            cache.asMap().remove(user.value(), read);
        }
        return read;
    }

    /** Spec "GET /admin/lock/{userId}", for a requester already known to be an admin. */
    public boolean locked(UserId requester, UserId target) {
        return target(requester, target, false).locked();
    }

    /** Spec "PUT /admin/lock/{userId}"; an admin cannot lock themselves or another admin. */
    public void setLocked(UserId requester, UserId target, boolean locked) {
        target(requester, target, true);
        database.execute().createNamedUpdate("admin-set-locked").addParam("user_id", target.value())
                .addParam("locked", locked).execute();
        changes.incrementAndGet();
        cache.invalidate(target.value());
    }

    /** Spec "GET /admin/suspend/{userId}", for a requester already known to be an admin. */
    public boolean suspended(UserId requester, UserId target) {
        return target(requester, target, false).suspended();
    }

    /** Spec "PUT /admin/suspend/{userId}"; an admin cannot suspend themselves or another admin. */
    public void setSuspended(UserId requester, UserId target, boolean suspended) {
        target(requester, target, true);
        database.execute().createNamedUpdate("admin-set-suspended").addParam("user_id", target.value())
                .addParam("suspended", suspended).execute();
        changes.incrementAndGet();
        cache.invalidate(target.value());
    }

    private record AccountFlags(boolean admin, boolean deactivated, boolean locked, boolean suspended) {}

    /**
     * The target of a lock or suspension, checked in the spec's order: a local user (400 M_INVALID_PARAM), existing
     * and not deactivated (404 M_NOT_FOUND), not another admin, and for a change not the requester (403 M_FORBIDDEN).
     */
    private AccountFlags target(UserId requester, UserId target, boolean change) {
        requireLocal(target);
        AccountFlags flags = account(target).filter(a -> !a.deactivated())
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "User not found"));
        if (target.equals(requester)) {
            if (change) {
                throw new MatrixException(ErrorCode.FORBIDDEN, "You cannot change this for your own account");
            }
        } else if (flags.admin()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The target user is a server administrator");
        }
        return flags;
    }

    private void requireLocal(UserId user) {
        if (!user.serverName().equals(serverName)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "User does not belong to the local server");
        }
    }

    private Optional<AccountFlags> account(UserId user) {
        return database.execute().createNamedGet("admin-restrictions").addParam("user_id", user.value()).execute()
                .map(ServerAdministration::flags);
    }

    private static AccountFlags flags(DbRow r) {
        return new AccountFlags(Rows.bool(r, "admin"), Rows.bool(r, "deactivated"), Rows.bool(r, "locked"),
                Rows.bool(r, "suspended"));
    }
}
