package org.hearth.core.keys;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.hearth.core.keys.KeyFormats.KeyName;
import org.hearth.core.port.KeyChanges;
import org.hearth.core.port.RemoteKeys;
import org.hearth.core.storage.Database;
import org.hearth.core.sync.DeviceKeyCounts;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/**
 * Spec "Key management API": {@code /keys/upload}, {@code /keys/query}, {@code /keys/claim} for local devices;
 * remote users go through the {@link RemoteKeys} port. Also the sync streams' {@link DeviceKeyCounts}.
 */
public final class KeysHandler implements DeviceKeyCounts {
    /** Synapse always reports this algorithm, 0 included: clients read a missing count as "unknown". */
    static final String SIGNED_CURVE25519 = "signed_curve25519";

    private final Database database;
    private final Clock clock;
    private final ServerName localServer;
    private final Supplier<KeyChanges> changes;
    private final Supplier<RemoteKeys> remote;
    private final KeyRepository keys = new KeyRepository();
    // Every /sync answer carries the device's key counts; they change only by upload, claim and device deletion.
    private final com.github.benmanes.caffeine.cache.Cache<String, KeyCounts> counts =
            com.github.benmanes.caffeine.cache.Caffeine.newBuilder().maximumSize(100_000).build();

    private record KeyCounts(Map<String, Long> oneTime, List<String> unusedFallback, long deletions) {}

    public KeysHandler(Database database, Clock clock, ServerName localServer, Supplier<KeyChanges> changes,
                       Supplier<RemoteKeys> remote) {
        this.database = database;
        this.clock = clock;
        this.localServer = localServer;
        this.changes = changes;
        this.remote = remote;
    }

    /**
     * Spec "POST /keys/upload". Everything is checked before anything is written, and written in one transaction:
     * a refused upload stores nothing. Returns {@code one_time_key_counts}.
     */
    public Map<String, Long> upload(UserId user, String deviceId, JsonObject body) {
        if (deviceId == null) {
            throw new MatrixException(ErrorCode.UNKNOWN, "To upload keys, you must pass device_id when authenticating");
        }
        JsonObject deviceKeys = null;
        byte[] signingKey = null;
        if (body.containsKey("device_keys")) {
            deviceKeys = KeyFormats.deviceKeys(body.get("device_keys"), user, deviceId);
            signingKey = KeyFormats.deviceSigningKey(deviceKeys, deviceId);
            KeyFormats.requireSignature(deviceKeys, user, KeyFormats.ED25519 + ":" + deviceId, signingKey, "device_keys");
        }
        Map<KeyName, JsonValue> oneTime = body.containsKey("one_time_keys") && body.get("one_time_keys") != JsonValue.NULL
                ? KeyFormats.keyMap(body.get("one_time_keys"), "one_time_keys") : Map.of();
        Map<KeyName, JsonValue> fallback = body.containsKey("fallback_keys") && body.get("fallback_keys") != JsonValue.NULL
                ? KeyFormats.keyMap(body.get("fallback_keys"), "fallback_keys") : Map.of();
        Map<String, KeyName> fallbackByAlgorithm = new LinkedHashMap<>();
        for (KeyName name : fallback.keySet()) {
            if (fallbackByAlgorithm.put(name.algorithm(), name) != null) {
                throw new MatrixException(ErrorCode.INVALID_PARAM, "At most one fallback key per algorithm");
            }
        }
        if (signingKey == null && (!oneTime.isEmpty() || !fallback.isEmpty())) {
            signingKey = keys.deviceKeys(database.execute(), user, deviceId)
                    .map(k -> KeyFormats.deviceSigningKey(k, deviceId)).orElse(null);
        }
        // Signed keys are signed by the device's Ed25519 key (spec: "One-time and fallback keys"); before the
        // device keys are known there is nothing to check them against.
        if (signingKey != null) {
            requireSigned(oneTime, user, deviceId, signingKey, "one_time_keys");
            requireSigned(fallback, user, deviceId, signingKey, "fallback_keys");
        }
        JsonObject newDeviceKeys = deviceKeys;
        long now = clock.millis();
        boolean changed = database.transaction(tx -> {
            if (!keys.lockDevice(tx, user, deviceId)) {
                throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown device");
            }
            boolean deviceChanged = false;
            if (newDeviceKeys != null) {
                Optional<JsonObject> old = keys.deviceKeys(tx, user, deviceId);
                if (old.isPresent() && !old.get().getJsonObject("keys").equals(newDeviceKeys.getJsonObject("keys"))) {
                    // A device's identity keys never change: other users' verification of it rests on them.
                    throw new MatrixException(ErrorCode.INVALID_PARAM,
                            "Device keys for " + deviceId + " already exist and differ; log in as a new device instead");
                }
                if (old.isEmpty() || !CanonicalJson.encode(old.get()).equals(CanonicalJson.encode(newDeviceKeys))) {
                    keys.putDeviceKeys(tx, user, deviceId, newDeviceKeys, now);
                    deviceChanged = true;
                }
            }
            for (var e : oneTime.entrySet()) {
                KeyName name = e.getKey();
                String json = CanonicalJson.encode(e.getValue());
                if (!keys.insertOneTimeKey(tx, user, deviceId, name.algorithm(), name.keyId(), json)) {
                    String existing = keys.oneTimeKey(tx, user, deviceId, name.algorithm(), name.keyId()).orElseThrow();
                    if (!KeyFormats.sameKey(Json.parse(existing), e.getValue())) {
                        throw new MatrixException(ErrorCode.INVALID_PARAM, "One time key " + name + " already exists");
                    }
                }
            }
            for (var e : fallback.entrySet()) {
                KeyName name = e.getKey();
                String json = CanonicalJson.encode(e.getValue());
                var existing = keys.fallbackKey(tx, user, deviceId, name.algorithm());
                // The same key again keeps its used flag, as Synapse: only a new key is unused.
                if (existing.isEmpty() || !existing.get().keyId().equals(name.keyId()) || !existing.get().json().equals(json)) {
                    keys.putFallbackKey(tx, user, deviceId, name.algorithm(), name.keyId(), json);
                }
            }
            return deviceChanged;
        });
        counts.invalidate(countsKey(user, deviceId));
        if (changed) {
            changes.get().keysChanged(user);
        }
        return oneTimeKeyCounts(user, deviceId);
    }

    private static void requireSigned(Map<KeyName, JsonValue> keys, UserId user, String deviceId, byte[] signingKey, String field) {
        keys.forEach((name, key) -> {
            if (key instanceof JsonObject signed) {
                KeyFormats.requireSignature(signed, user, KeyFormats.ED25519 + ":" + deviceId, signingKey, field + "." + name);
            }
        });
    }

    @Override
    public Map<String, Long> oneTimeKeyCounts(UserId user, String deviceId) {
        return keyCounts(user, deviceId).oneTime();
    }

    @Override
    public List<String> unusedFallbackKeyTypes(UserId user, String deviceId) {
        return keyCounts(user, deviceId).unusedFallback();
    }

    private static String countsKey(UserId user, String deviceId) {
        return user.value() + "\n" + deviceId;
    }

    private KeyCounts keyCounts(UserId user, String deviceId) {
        String key = countsKey(user, deviceId);
        KeyCounts cached = counts.getIfPresent(key);
        if (cached != null && cached.deletions() == KeyRepository.DEVICE_DELETIONS.get()) {
            return cached;
        }
        if (cached != null) {
            counts.invalidate(key);
        }
        return counts.get(key, k -> {
            // Read before the rows: a deletion committed meanwhile makes this entry stale at once.
            long deletions = KeyRepository.DEVICE_DELETIONS.get();
            Map<String, Long> oneTime = new TreeMap<>(keys.oneTimeKeyCounts(database.execute(), user, deviceId));
            oneTime.putIfAbsent(SIGNED_CURVE25519, 0L);
            return new KeyCounts(java.util.Collections.unmodifiableMap(oneTime),
                    List.copyOf(keys.unusedFallbackAlgorithms(database.execute(), user, deviceId)), deletions);
        });
    }

    /**
     * Spec "POST /keys/query": {@code request} maps user IDs to device IDs (empty: every device). Invalid user IDs
     * are skipped, as Synapse; local users always appear in {@code device_keys}, possibly empty.
     */
    public JsonObject query(UserId viewer, Map<String, List<String>> request, long timeoutMs) {
        JsonObjectBuilder deviceKeys = Json.objectBuilder();
        JsonObjectBuilder masterKeys = Json.objectBuilder();
        JsonObjectBuilder selfSigningKeys = Json.objectBuilder();
        JsonObjectBuilder userSigningKeys = Json.objectBuilder();
        JsonObjectBuilder failures = Json.objectBuilder();
        Map<ServerName, Map<UserId, List<String>>> remoteQueries = new LinkedHashMap<>();
        for (var entry : request.entrySet()) {
            UserId user;
            try {
                user = UserId.parse(entry.getKey());
            } catch (MatrixException invalid) {
                continue;
            }
            if (!user.serverName().equals(localServer)) {
                remoteQueries.computeIfAbsent(user.serverName(), s -> new LinkedHashMap<>()).put(user, entry.getValue());
                continue;
            }
            var view = CrossSigningView.of(keys, database.execute(), user, viewer);
            JsonObjectBuilder devices = Json.objectBuilder();
            for (var device : keys.deviceKeysOfUser(database.execute(), user)) {
                if (!entry.getValue().isEmpty() && !entry.getValue().contains(device.deviceId())) {
                    continue;
                }
                JsonObjectBuilder info = Json.objectBuilder(view.device(device.deviceId(), device.keys()));
                JsonObjectBuilder unsigned = device.keys().get("unsigned") instanceof JsonObject u
                        ? Json.objectBuilder(u) : Json.objectBuilder();
                if (device.displayName() != null) {
                    unsigned.add("device_display_name", device.displayName());
                }
                devices.add(device.deviceId(), info.add("unsigned", unsigned));
            }
            deviceKeys.add(user.value(), devices);
            view.master().ifPresent(k -> masterKeys.add(user.value(), k));
            view.selfSigning().ifPresent(k -> selfSigningKeys.add(user.value(), k));
            if (user.equals(viewer)) {
                view.userSigning().ifPresent(k -> userSigningKeys.add(user.value(), k));
            }
        }
        askInParallel(remoteQueries, (server, query) -> remote.get().query(server, query, timeoutMs), timeoutMs)
                .forEach((server, answer) -> {
                    try {
                        JsonObject json = answer.join();
                        var asked = remoteQueries.get(server).keySet();
                        copyFor(asked, json.get("device_keys"), deviceKeys);
                        copyFor(asked, json.get("master_keys"), masterKeys);
                        copyFor(asked, json.get("self_signing_keys"), selfSigningKeys);
                    } catch (RuntimeException e) {
                        // Whatever went wrong over there is that server's failure, never this request's 500 (as Synapse).
                        failures.add(server.value(), failure(e));
                    }
                });
        return Json.objectBuilder().add("device_keys", deviceKeys).add("failures", failures)
                .add("master_keys", masterKeys).add("self_signing_keys", selfSigningKeys)
                .add("user_signing_keys", userSigningKeys).build();
    }

    /** What a remote server answered, for the users asked about only. */
    private static void copyFor(java.util.Set<UserId> asked, JsonValue section, JsonObjectBuilder into) {
        if (section instanceof JsonObject byUser) {
            for (UserId user : asked) {
                if (byUser.get(user.value()) instanceof JsonObject value) {
                    into.add(user.value(), value);
                }
            }
        }
    }

    /**
     * Asks every server at once, each on its own virtual thread; one that has not answered within the request's
     * timeout fails with {@link RemoteKeys.Unreachable} (its request goes on in the background, unheard).
     */
    private static <R> Map<ServerName, java.util.concurrent.CompletableFuture<JsonObject>> askInParallel(
            Map<ServerName, R> requests, java.util.function.BiFunction<ServerName, R, JsonObject> ask, long timeoutMs) {
        Map<ServerName, java.util.concurrent.CompletableFuture<JsonObject>> answers = new LinkedHashMap<>();
        if (requests.isEmpty()) {
            return answers;
        }
        var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor();
        requests.forEach((server, request) -> answers.put(server, java.util.concurrent.CompletableFuture
                .supplyAsync(() -> ask.apply(server, request), threads)
                .orTimeout(Math.max(1, timeoutMs), java.util.concurrent.TimeUnit.MILLISECONDS)));
        for (var answer : answers.values()) {
            try {
                answer.join();
            } catch (RuntimeException failed) {
                // read again below, per server
            }
        }
        threads.shutdown();
        return answers;
    }

    private static JsonObject failure(RuntimeException e) {
        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof java.util.concurrent.TimeoutException) {
            return Json.objectBuilder().add("status", 503).add("message", "timed out").build();
        }
        if (cause instanceof RuntimeException r && r != e) {
            return failure(r);
        }
        // Synapse's shape for a server it could not reach.
        return Json.objectBuilder().add("status", 503).add("message", String.valueOf(e.getMessage())).build();
    }

    /** One local device as other servers see it; {@code keys} null until the device uploaded keys. */
    public record FederatedDevice(String deviceId, String displayName, JsonObject keys) {}

    /** A local user's devices and public cross-signing keys, as {@code /user/devices} and the EDUs carry them. */
    public record DeviceList(List<FederatedDevice> devices, Optional<JsonObject> master, Optional<JsonObject> selfSigning) {}

    /** Every device of a local user (with keys and signatures when uploaded) and the master and self-signing keys. */
    public DeviceList deviceList(UserId user) {
        var db = database.execute();
        var view = CrossSigningView.of(keys, db, user, null);
        Map<String, JsonObject> withKeys = new LinkedHashMap<>();
        for (var device : keys.deviceKeysOfUser(db, user)) {
            withKeys.put(device.deviceId(), view.device(device.deviceId(), device.keys()));
        }
        List<FederatedDevice> devices = new java.util.ArrayList<>();
        keys.devices(db, user).forEach((id, name) -> devices.add(new FederatedDevice(id, name, withKeys.get(id))));
        devices.sort(java.util.Comparator.comparing(FederatedDevice::deviceId));
        return new DeviceList(devices, view.master(), view.selfSigning());
    }

    /**
     * Spec "POST /keys/claim": {@code request} maps user → device → algorithm. Each key is taken in its own
     * transaction; the oldest one-time key first, else the fallback key (marked used). Unknown users, devices and
     * algorithms are left out of the answer.
     */
    public JsonObject claim(Map<UserId, Map<String, String>> request, long timeoutMs) {
        JsonObjectBuilder claimed = Json.objectBuilder();
        JsonObjectBuilder failures = Json.objectBuilder();
        Map<ServerName, Map<UserId, Map<String, String>>> remoteClaims = new LinkedHashMap<>();
        request.forEach((user, byDevice) -> {
            if (!user.serverName().equals(localServer)) {
                remoteClaims.computeIfAbsent(user.serverName(), s -> new LinkedHashMap<>()).put(user, byDevice);
                return;
            }
            JsonObjectBuilder devices = Json.objectBuilder();
            boolean any = false;
            for (var e : byDevice.entrySet()) {
                Optional<KeyRepository.ClaimedKey> key = claimOne(user, e.getKey(), e.getValue());
                if (key.isPresent()) {
                    devices.add(e.getKey(), Json.objectBuilder().add(e.getValue() + ":" + key.get().keyId(), key.get().json()));
                    any = true;
                }
            }
            if (any) {
                claimed.add(user.value(), devices);
            }
        });
        askInParallel(remoteClaims, (server, claims) -> remote.get().claim(server, claims, timeoutMs), timeoutMs)
                .forEach((server, answer) -> {
                    try {
                        copyFor(remoteClaims.get(server).keySet(), answer.join().get("one_time_keys"), claimed);
                    } catch (RuntimeException e) {
                        failures.add(server.value(), failure(e));
                    }
                });
        return Json.objectBuilder().add("one_time_keys", claimed).add("failures", failures).build();
    }

    private Optional<KeyRepository.ClaimedKey> claimOne(UserId user, String deviceId, String algorithm) {
        if (algorithm.length() > KeyFormats.MAX_ALGORITHM) {
            return Optional.empty();
        }
        Optional<KeyRepository.ClaimedKey> claimed = database.transaction(tx -> {
            Optional<KeyRepository.ClaimedKey> key = keys.takeOneTimeKey(tx, user, deviceId, algorithm);
            if (key.isPresent()) {
                return key;
            }
            var fallback = keys.fallbackKey(tx, user, deviceId, algorithm);
            if (fallback.isEmpty()) {
                return Optional.<KeyRepository.ClaimedKey>empty();
            }
            if (!fallback.get().used()) {
                keys.markFallbackUsed(tx, user, deviceId, algorithm);
            }
            return Optional.of(new KeyRepository.ClaimedKey(fallback.get().keyId(), Json.parse(fallback.get().json())));
        });
        counts.invalidate(countsKey(user, deviceId));
        return claimed;
    }
}
