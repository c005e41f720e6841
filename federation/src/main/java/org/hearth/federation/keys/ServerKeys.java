package org.hearth.federation.keys;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.hearth.core.storage.Database;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationException;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;

/**
 * Other servers' verify keys (spec: Server-Server API, "Retrieving server keys"): from memory, else the database,
 * else fetched from the server itself ({@code /_matrix/key/v2/server}), else through the configured notaries
 * ({@code /_matrix/key/v2/query}). One fetch per server at a time: concurrent lookups of the same server wait for
 * it and then find its result.
 */
public final class ServerKeys {
    private static final Logger LOG = System.getLogger(ServerKeys.class.getName());
    // A server that did not give a wanted key is not asked again for this long: a flood of requests signed with
    // an unknown key must not become a flood of fetches.
    static final Duration REFETCH_AFTER_MISS = Duration.ofSeconds(30);
    private static final int LOCK_STRIPES = 64;

    private final String ownName;
    private final SigningKey ownKey;
    private final ServerKeyRepository repository;
    private final FederationClient client;
    private final List<TrustedKeyServer> notaries;
    private final Clock clock;
    private final Cache<String, VerifyKey> cache = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(Duration.ofHours(1)).build();
    private final Cache<String, Boolean> recentMisses = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(REFETCH_AFTER_MISS).build();
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    public ServerKeys(String ownName, SigningKey ownKey, Database database, FederationClient client,
                      List<TrustedKeyServer> notaries, Clock clock) {
        this.ownName = ownName;
        this.ownKey = ownKey;
        this.repository = new ServerKeyRepository(database);
        this.client = client;
        this.notaries = List.copyOf(notaries);
        this.clock = clock;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /**
     * The key {@code keyId} of {@code server} if it is valid at {@code minimumValidUntilTs} (now for requests, the
     * event's {@code origin_server_ts} for events of room versions that enforce key validity, 0 for those that do
     * not); empty when no source has it.
     */
    public Optional<VerifyKey> find(String server, String keyId, long minimumValidUntilTs) {
        if (server.equals(ownName)) {
            return keyId.equals(ownKey.keyId())
                    ? Optional.of(new VerifyKey(ownName, keyId, ownKey.publicKey(), Long.MAX_VALUE))
                    : Optional.empty();
        }
        Optional<VerifyKey> known = known(server, keyId, minimumValidUntilTs);
        if (known.isPresent()) {
            return known;
        }
        ReentrantLock lock = lock(server);
        lock.lock();
        try {
            // Whoever held the lock may have fetched it meanwhile.
            known = known(server, keyId, minimumValidUntilTs);
            if (known.isPresent() || recentMisses.getIfPresent(server + "\u0000" + keyId) != null) {
                return known;
            }
            fetchDirect(server);
            known = known(server, keyId, minimumValidUntilTs);
            for (TrustedKeyServer notary : notaries) {
                if (known.isPresent()) {
                    break;
                }
                fetchViaNotary(notary, server, keyId, minimumValidUntilTs);
                known = known(server, keyId, minimumValidUntilTs);
            }
            if (known.isEmpty()) {
                recentMisses.put(server + "\u0000" + keyId, Boolean.TRUE);
            }
            return known;
        } finally {
            lock.unlock();
        }
    }

    /**
     * For the notary endpoints: {@code server}'s latest key answer, signed only by it, fetched again when it is not
     * valid until {@code minimumValidUntilTs}, is past half its lifetime (spec: "Intermediate notary servers should
     * cache a response for half of its lifetime"), or lacks one of {@code keyIds}. When the server does not answer,
     * the last answer is returned anyway so old signatures can still be checked; empty when there never was one.
     */
    public Optional<JsonObject> latestResponse(String server, long minimumValidUntilTs, Set<String> keyIds) {
        long now = clock.millis();
        Optional<ServerKeyRepository.StoredResponse> stored = repository.response(server);
        if (stored.isPresent() && fresh(stored.get(), now, minimumValidUntilTs, keyIds)) {
            return Optional.of(stored.get().json());
        }
        ReentrantLock lock = lock(server);
        lock.lock();
        try {
            Optional<ServerKeyRepository.StoredResponse> again = repository.response(server);
            if (again.isPresent() && !again.equals(stored) && fresh(again.get(), now, minimumValidUntilTs, keyIds)) {
                return Optional.of(again.get().json());
            }
            if (recentMisses.getIfPresent(server) == null && !fetchDirect(server)) {
                recentMisses.put(server, Boolean.TRUE);
            }
            return repository.response(server).map(ServerKeyRepository.StoredResponse::json);
        } finally {
            lock.unlock();
        }
    }

    private static boolean fresh(ServerKeyRepository.StoredResponse r, long now, long minimumValidUntilTs,
                                 Set<String> keyIds) {
        long halfLife = r.fetchedTs() + Math.max(0, (r.validUntilTs() - r.fetchedTs()) / 2);
        if (r.validUntilTs() < minimumValidUntilTs || now >= halfLife) {
            return false;
        }
        for (String keyId : keyIds) {
            if (!(r.json().get("verify_keys") instanceof JsonObject v && v.containsKey(keyId))
                    && !(r.json().get("old_verify_keys") instanceof JsonObject o && o.containsKey(keyId))) {
                return false;
            }
        }
        return true;
    }

    private Optional<VerifyKey> known(String server, String keyId, long minimumValidUntilTs) {
        String cacheKey = server + "\u0000" + keyId;
        VerifyKey cached = cache.getIfPresent(cacheKey);
        if (cached == null) {
            cached = repository.key(server, keyId).orElse(null);
            if (cached != null) {
                cache.put(cacheKey, cached);
            }
        }
        return cached != null && cached.validAt(minimumValidUntilTs) ? Optional.of(cached) : Optional.empty();
    }

    /** Whether the server gave a valid answer, which is then stored. */
    private boolean fetchDirect(String server) {
        try {
            JsonObject json = client.request("GET", server, "/_matrix/key/v2/server", null, true);
            store(KeyResponse.verify(json, server, clock.millis()));
            return true;
        } catch (FederationException | KeyResponse.Invalid e) {
            LOG.log(Level.INFO, "key fetch from " + server + " failed: " + e.getMessage());
            return false;
        }
    }

    private void fetchViaNotary(TrustedKeyServer notary, String server, String keyId, long minimumValidUntilTs) {
        if (notary.serverName().equals(server)) {
            return;
        }
        JsonObject query = Json.objectBuilder().add("server_keys", Json.objectBuilder().add(server,
                Json.objectBuilder().add(keyId, Json.objectBuilder()
                        .add("minimum_valid_until_ts", Math.max(minimumValidUntilTs, clock.millis()))))).build();
        JsonObject answer;
        try {
            answer = client.request("POST", notary.serverName(), "/_matrix/key/v2/query", query, true);
        } catch (FederationException e) {
            LOG.log(Level.INFO, "key query for " + server + " at notary " + notary.serverName() + " failed: "
                    + e.getMessage());
            return;
        }
        if (!(answer.get("server_keys") instanceof JsonArray entries)) {
            return;
        }
        for (JsonValue entry : entries) {
            if (!(entry instanceof JsonObject keys) || !server.equals(keys.getString("server_name", null))) {
                continue;
            }
            if (!signedByNotary(notary, keys)) {
                LOG.log(Level.WARNING, "notary " + notary.serverName() + " answered for " + server
                        + " without a valid signature of its own; ignored");
                continue;
            }
            try {
                store(KeyResponse.verify(keys, server, clock.millis()));
            } catch (KeyResponse.Invalid e) {
                LOG.log(Level.INFO, "notary " + notary.serverName() + " gave bad keys for " + server + ": "
                        + e.getMessage());
            }
        }
    }

    private boolean signedByNotary(TrustedKeyServer notary, JsonObject keys) {
        for (String keyId : Signatures.keyIds(keys, notary.serverName())) {
            byte[] publicKey = notary.verifyKeys().isEmpty()
                    ? notaryOwnKey(notary.serverName(), keyId)
                    : notary.verifyKeys().get(keyId);
            if (publicKey != null && Signatures.verify(keys, notary.serverName(), keyId, publicKey)) {
                return true;
            }
        }
        return false;
    }

    // Without the lock of the notary's stripe (we hold the queried server's), so two lookups never wait on each other.
    private byte[] notaryOwnKey(String notary, String keyId) {
        long now = clock.millis();
        Optional<VerifyKey> key = known(notary, keyId, now);
        if (key.isEmpty() && fetchDirect(notary)) {
            key = known(notary, keyId, now);
        }
        return key.map(VerifyKey::publicKey).orElse(null);
    }

    private void store(KeyResponse response) {
        repository.store(response, clock.millis());
        for (VerifyKey k : response.keys()) {
            cache.put(k.serverName() + "\u0000" + k.keyId(), k);
            recentMisses.invalidate(k.serverName() + "\u0000" + k.keyId());
        }
        recentMisses.invalidate(response.serverName());
    }

    private ReentrantLock lock(String server) {
        return locks[Math.floorMod(server.hashCode(), LOCK_STRIPES)];
    }
}
