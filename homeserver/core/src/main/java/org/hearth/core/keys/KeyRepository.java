package org.hearth.core.keys;

import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.CanonicalJson;
import org.hearth.spec.json.Json;

/** The key tables of V7: device keys, one-time and fallback keys, cross-signing keys and their signatures. */
public final class KeyRepository {
    KeyRepository() {}

    // Counts devices deleted: a cached key count read before a deletion is not used after it (see KeysHandler).
    static final java.util.concurrent.atomic.AtomicLong DEVICE_DELETIONS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Removes a deleted device's keys, one-time and fallback keys and the signatures by or of it; run in the
     * transaction that deletes the device (spec: a deleted device's keys must not be handed out any more).
     */
    public static void deleteDevice(DbExecute tx, UserId user, String deviceId) {
        org.hearth.core.storage.Database.afterCommit(DEVICE_DELETIONS::incrementAndGet);
        tx.createNamedDelete("keys-device-keys-delete").addParam("user_id", user.value()).addParam("device_id", deviceId).execute();
        tx.createNamedDelete("keys-otk-delete-device").addParam("user_id", user.value()).addParam("device_id", deviceId).execute();
        tx.createNamedDelete("keys-fallback-delete-device").addParam("user_id", user.value()).addParam("device_id", deviceId).execute();
        tx.createNamedDelete("keys-signatures-delete-device").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("signer_key_id", "ed25519:" + deviceId).execute();
    }

    static String string(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    static long longValue(DbRow row, String column) {
        return ((Number) row.column(column).get()).longValue();
    }

    static boolean bool(DbRow row, String column) {
        Object v = row.column(column).get();
        return v instanceof Boolean b ? b : ((Number) v).intValue() != 0;
    }

    /** Takes a shared lock on the device row: a concurrent deletion waits, so no keys outlive their device. */
    boolean lockDevice(DbExecute tx, UserId user, String deviceId) {
        return tx.createNamedGet("keys-device-lock").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .execute().isPresent();
    }

    /** Device ID → display name (null when unset). */
    Map<String, String> devices(DbExecute db, UserId user) {
        Map<String, String> out = new LinkedHashMap<>();
        db.createNamedQuery("keys-devices-of-user").addParam("user_id", user.value()).execute()
                .forEach(row -> out.put(string(row, "device_id"), string(row, "display_name")));
        return out;
    }

    Optional<JsonObject> deviceKeys(DbExecute db, UserId user, String deviceId) {
        return db.createNamedGet("keys-device-keys-get").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .execute().map(row -> Json.parseObject(string(row, "key_json")));
    }

    void putDeviceKeys(DbExecute tx, UserId user, String deviceId, JsonObject keys, long now) {
        tx.createNamedInsert("keys-device-keys-put").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("key_json", CanonicalJson.encode(keys)).addParam("ts", now).execute();
    }

    record StoredDevice(String deviceId, JsonObject keys, String displayName) {}

    List<StoredDevice> deviceKeysOfUser(DbExecute db, UserId user) {
        List<StoredDevice> out = new ArrayList<>();
        db.createNamedQuery("keys-device-keys-of-user").addParam("user_id", user.value()).execute()
                .forEach(row -> out.add(new StoredDevice(string(row, "device_id"), Json.parseObject(string(row, "key_json")),
                        string(row, "display_name"))));
        return out;
    }

    /** False when a key with this ID already exists (nothing written). */
    boolean insertOneTimeKey(DbExecute tx, UserId user, String deviceId, String algorithm, String keyId, String json) {
        return tx.createNamedInsert("keys-otk-insert").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("algorithm", algorithm).addParam("key_id", keyId).addParam("key_json", json).execute() > 0;
    }

    Optional<String> oneTimeKey(DbExecute tx, UserId user, String deviceId, String algorithm, String keyId) {
        return tx.createNamedGet("keys-otk-get").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("algorithm", algorithm).addParam("key_id", keyId).execute().map(row -> string(row, "key_json"));
    }

    Map<String, Long> oneTimeKeyCounts(DbExecute db, UserId user, String deviceId) {
        Map<String, Long> out = new HashMap<>();
        db.createNamedQuery("keys-otk-counts").addParam("user_id", user.value()).addParam("device_id", deviceId).execute()
                .forEach(row -> out.put(string(row, "algorithm"), longValue(row, "n")));
        return out;
    }

    record ClaimedKey(String keyId, JsonValue json) {}

    /** Takes (deletes) the oldest one-time key of the device for the algorithm, if any is left. */
    Optional<ClaimedKey> takeOneTimeKey(DbExecute tx, UserId user, String deviceId, String algorithm) {
        Optional<DbRow> row = tx.createNamedGet("keys-otk-oldest").addParam("user_id", user.value())
                .addParam("device_id", deviceId).addParam("algorithm", algorithm).execute();
        if (row.isEmpty()) {
            return Optional.empty();
        }
        tx.createNamedDelete("keys-otk-take").addParam("id", longValue(row.get(), "id")).execute();
        return Optional.of(new ClaimedKey(string(row.get(), "key_id"), Json.parse(string(row.get(), "key_json"))));
    }

    record FallbackKey(String keyId, String json, boolean used) {}

    Optional<FallbackKey> fallbackKey(DbExecute tx, UserId user, String deviceId, String algorithm) {
        return tx.createNamedGet("keys-fallback-get").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("algorithm", algorithm).execute()
                .map(row -> new FallbackKey(string(row, "key_id"), string(row, "key_json"), bool(row, "used")));
    }

    void putFallbackKey(DbExecute tx, UserId user, String deviceId, String algorithm, String keyId, String json) {
        tx.createNamedInsert("keys-fallback-put").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("algorithm", algorithm).addParam("key_id", keyId).addParam("key_json", json).execute();
    }

    void markFallbackUsed(DbExecute tx, UserId user, String deviceId, String algorithm) {
        tx.createNamedUpdate("keys-fallback-mark-used").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .addParam("algorithm", algorithm).execute();
    }

    List<String> unusedFallbackAlgorithms(DbExecute db, UserId user, String deviceId) {
        return db.createNamedQuery("keys-fallback-unused").addParam("user_id", user.value()).addParam("device_id", deviceId)
                .execute().map(row -> string(row, "algorithm")).toList();
    }

    record CrossSigningKey(JsonObject json, String publicKey) {}

    /** key type ({@code master}, {@code self_signing}, {@code user_signing}) → key, as uploaded. */
    Map<String, CrossSigningKey> crossSigningKeys(DbExecute db, UserId user) {
        Map<String, CrossSigningKey> out = new HashMap<>();
        db.createNamedQuery("keys-cross-signing-get").addParam("user_id", user.value()).execute()
                .forEach(row -> out.put(string(row, "key_type"),
                        new CrossSigningKey(Json.parseObject(string(row, "key_json")), string(row, "public_key"))));
        return out;
    }

    /** Serializes cross-signing uploads of one user (the row locks of the keys already there). */
    void lockCrossSigningKeys(DbExecute tx, UserId user) {
        tx.createNamedQuery("keys-cross-signing-lock").addParam("user_id", user.value()).execute().forEach(row -> { });
    }

    void putCrossSigningKey(DbExecute tx, UserId user, String type, JsonObject key, String publicKey, long now) {
        tx.createNamedInsert("keys-cross-signing-put").addParam("user_id", user.value()).addParam("key_type", type)
                .addParam("key_json", CanonicalJson.encode(key)).addParam("public_key", publicKey).addParam("ts", now).execute();
    }

    record Signature(UserId signer, String signerKeyId, String targetKeyId, String signature) {}

    List<Signature> signaturesOf(DbExecute db, UserId target) {
        List<Signature> out = new ArrayList<>();
        db.createNamedQuery("keys-signatures-of-user").addParam("target_user_id", target.value()).execute()
                .forEach(row -> out.add(new Signature(UserId.parse(string(row, "signer_id")), string(row, "signer_key_id"),
                        string(row, "target_key_id"), string(row, "signature"))));
        return out;
    }

    void putSignature(DbExecute tx, UserId signer, String signerKeyId, UserId target, String targetKeyId, String signature) {
        tx.createNamedDelete("keys-signature-delete").addParam("signer_id", signer.value()).addParam("signer_key_id", signerKeyId)
                .addParam("target_user_id", target.value()).addParam("target_key_id", targetKeyId).execute();
        tx.createNamedInsert("keys-signature-insert").addParam("signer_id", signer.value()).addParam("signer_key_id", signerKeyId)
                .addParam("target_user_id", target.value()).addParam("target_key_id", targetKeyId)
                .addParam("signature", signature).execute();
    }

    /** Signatures made by a replaced key are void. */
    void deleteSignaturesBy(DbExecute tx, UserId signer, String signerKeyId) {
        tx.createNamedDelete("keys-signatures-delete-by-key").addParam("signer_id", signer.value())
                .addParam("signer_key_id", signerKeyId).execute();
    }
}
