package org.hearth.core.keys;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.hearth.core.account.UiaFlows;
import org.hearth.core.account.UserInteractiveAuth;
import org.hearth.core.keys.KeyFormats.CrossSigningKey;
import org.hearth.core.port.KeyChanges;
import org.hearth.core.storage.Database;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec "Cross-signing": {@code /keys/device_signing/upload} and {@code /keys/signatures/upload}. */
public final class CrossSigningHandler {
    static final String MASTER = "master";
    static final String SELF_SIGNING = "self_signing";
    static final String USER_SIGNING = "user_signing";
    private static final Map<String, String> BODY_FIELDS = Map.of(
            "master_key", MASTER, "self_signing_key", SELF_SIGNING, "user_signing_key", USER_SIGNING);

    private final Database database;
    private final Clock clock;
    private final UserInteractiveAuth uia;
    private final Supplier<KeyChanges> changes;
    private final KeyRepository keys = new KeyRepository();

    public CrossSigningHandler(Database database, Clock clock, UserInteractiveAuth uia, Supplier<KeyChanges> changes) {
        this.database = database;
        this.clock = clock;
        this.uia = uia;
        this.changes = changes;
    }

    /**
     * Spec "POST /keys/device_signing/upload" (v1.11): no UIA for the first master key, nor for keys identical to
     * the stored ones (an idempotent retry); UIA ({@code m.login.password}) to replace any key, except for an
     * application service acting for one of its users (v1.17: "no longer requires User-Interactive Authentication
     * when used by an application service").
     */
    public void uploadSigningKeys(UserId user, JsonObject body, boolean byAppService) {
        Map<String, JsonObject> uploaded = new LinkedHashMap<>();
        for (String field : List.of("master_key", "self_signing_key", "user_signing_key")) {
            if (body.containsKey(field) && body.get(field) != JsonValue.NULL) {
                uploaded.put(BODY_FIELDS.get(field), KeyFormats.object(body.get(field), field));
            }
        }
        Map<String, KeyRepository.CrossSigningKey> stored = keys.crossSigningKeys(database.execute(), user);
        boolean different = uploaded.entrySet().stream()
                .anyMatch(e -> !stored.containsKey(e.getKey()) || !stored.get(e.getKey()).json().equals(e.getValue()));
        if (!different) {
            return;
        }
        JsonObject auth = body.get("auth") instanceof JsonObject a ? a : null;
        UserInteractiveAuth.Completed done = stored.containsKey(MASTER) && !byAppService
                ? uia.authenticate("device_signing_upload", user, UiaFlows.PASSWORD_ONLY, auth) : null;

        CrossSigningKey master = uploaded.containsKey(MASTER)
                ? KeyFormats.crossSigningKey(uploaded.get(MASTER), user, MASTER, "master_key") : null;
        CrossSigningKey verifyingMaster = master != null ? master
                : stored.containsKey(MASTER) ? KeyFormats.crossSigningKey(stored.get(MASTER).json(), user, MASTER, "master_key") : null;
        if (verifyingMaster == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "No master key available");
        }
        Map<String, CrossSigningKey> checked = new LinkedHashMap<>();
        if (master != null) {
            checked.put(MASTER, master);
        }
        for (String type : List.of(SELF_SIGNING, USER_SIGNING)) {
            if (uploaded.containsKey(type)) {
                CrossSigningKey key = KeyFormats.crossSigningKey(uploaded.get(type), user, type, type + "_key");
                KeyFormats.requireSignature(key.json(), user, verifyingMaster.keyId(), verifyingMaster.publicKey(), type + " key");
                checked.put(type, key);
            }
        }
        long now = clock.millis();
        database.transaction(tx -> {
            keys.lockCrossSigningKeys(tx, user);
            Set<String> deviceIds = keys.devices(tx, user).keySet();
            for (CrossSigningKey key : checked.values()) {
                // Spec: device IDs and cross-signing public keys share one namespace of key IDs.
                if (deviceIds.contains(key.publicKeyBase64())) {
                    throw new MatrixException(ErrorCode.FORBIDDEN, "Key ID in use");
                }
            }
            checked.forEach((type, key) -> {
                var old = stored.get(type);
                if (old != null && !old.publicKey().equals(key.publicKeyBase64())) {
                    keys.deleteSignaturesBy(tx, user, KeyFormats.ED25519 + ":" + old.publicKey());
                }
                keys.putCrossSigningKey(tx, user, type, key.json(), key.publicKeyBase64(), now);
            });
            if (done != null) {
                uia.finish(tx, done);
            }
            return null;
        });
        if (checked.containsKey(MASTER) || checked.containsKey(SELF_SIGNING)) {
            changes.get().keysChanged(user);
        }
        if (checked.containsKey(USER_SIGNING)) {
            changes.get().signaturesChanged(user, Set.of(user));
        }
    }

    /**
     * Spec "POST /keys/signatures/upload": the user's devices signed by their self-signing key, their master key
     * signed by their devices, and other users' master keys signed by their user-signing key. Each key that
     * fails is reported in {@code failures}; the others are stored.
     */
    public JsonObject uploadSignatures(UserId user, JsonObject body) {
        Map<UserId, Map<String, JsonObject>> request = new LinkedHashMap<>();
        body.forEach((userId, byKey) -> {
            Map<String, JsonObject> signed = new LinkedHashMap<>();
            KeyFormats.object(byKey, userId).forEach((keyId, key) -> signed.put(keyId, KeyFormats.object(key, userId + "." + keyId)));
            request.put(UserId.parse(userId), signed);
        });
        JsonObjectBuilder failures = Json.objectBuilder();
        List<NewSignature> accepted = new ArrayList<>();
        Set<UserId> signedOthers = new LinkedHashSet<>();
        boolean ownChanged = false;
        Map<String, KeyRepository.CrossSigningKey> own = keys.crossSigningKeys(database.execute(), user);
        for (var entry : request.entrySet()) {
            UserId target = entry.getKey();
            JsonObjectBuilder targetFailures = Json.objectBuilder();
            boolean failed = false;
            for (var key : entry.getValue().entrySet()) {
                try {
                    List<NewSignature> found = target.equals(user)
                            ? ownSignatures(user, own, key.getKey(), key.getValue())
                            : otherSignature(user, own, target, key.getKey(), key.getValue());
                    accepted.addAll(found);
                    if (target.equals(user)) {
                        ownChanged |= !found.isEmpty();
                    } else if (!found.isEmpty()) {
                        signedOthers.add(target);
                    }
                } catch (MatrixException e) {
                    targetFailures.add(key.getKey(), Json.objectBuilder().add("errcode", e.code().errcode())
                            .add("error", String.valueOf(e.getMessage())));
                    failed = true;
                }
            }
            if (failed) {
                failures.add(target.value(), targetFailures);
            }
        }
        if (!accepted.isEmpty()) {
            database.transaction(tx -> {
                for (NewSignature s : accepted) {
                    keys.putSignature(tx, user, s.signerKeyId(), s.target(), s.targetKeyId(), s.signature());
                }
                return null;
            });
        }
        if (ownChanged) {
            changes.get().keysChanged(user);
        }
        if (!signedOthers.isEmpty()) {
            changes.get().signaturesChanged(user, signedOthers);
        }
        return Json.objectBuilder().add("failures", failures).build();
    }

    private record NewSignature(String signerKeyId, UserId target, String targetKeyId, String signature) {}

    /** A device signed by the self-signing key, or the master key signed by the user's devices. */
    private List<NewSignature> ownSignatures(UserId user, Map<String, KeyRepository.CrossSigningKey> own, String keyId,
                                             JsonObject signed) {
        JsonObject bySigner = signed.get("signatures") instanceof JsonObject s && s.get(user.value()) instanceof JsonObject o ? o : null;
        if (bySigner == null || bySigner.isEmpty()) {
            throw new MatrixException(ErrorCode.INVALID_SIGNATURE, "No signature by " + user.value());
        }
        var master = own.get(MASTER);
        if (master != null && keyId.equals(master.publicKey())) {
            requireSameKey(signed, master.json());
            List<NewSignature> out = new ArrayList<>();
            Map<String, JsonObject> devices = new LinkedHashMap<>();
            keys.deviceKeysOfUser(database.execute(), user).forEach(d -> devices.put(d.deviceId(), d.keys()));
            for (String signerKeyId : bySigner.keySet()) {
                String deviceId = signerKeyId.startsWith(KeyFormats.ED25519 + ":") ? signerKeyId.substring(KeyFormats.ED25519.length() + 1) : "";
                JsonObject device = devices.get(deviceId);
                if (device == null || !(device.getJsonObject("keys").get(signerKeyId) instanceof JsonString pub)) {
                    throw new MatrixException(ErrorCode.INVALID_SIGNATURE, "Signed by an unknown device: " + signerKeyId);
                }
                KeyFormats.requireSignature(signed, user, signerKeyId, KeyFormats.publicKey(pub.getString(), signerKeyId), "master key");
                out.add(new NewSignature(signerKeyId, user, keyId, bySigner.getString(signerKeyId)));
            }
            return out;
        }
        var selfSigning = own.get(SELF_SIGNING);
        if (selfSigning == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No self_signing key found for " + user.value());
        }
        String signerKeyId = KeyFormats.ED25519 + ":" + selfSigning.publicKey();
        if (!bySigner.containsKey(signerKeyId)) {
            throw new MatrixException(ErrorCode.INVALID_SIGNATURE, "Not signed by the self-signing key");
        }
        JsonObject device = keys.deviceKeys(database.execute(), user, keyId)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown device"));
        requireSameKey(signed, device);
        KeyFormats.requireSignature(signed, user, signerKeyId,
                KeyFormats.publicKey(selfSigning.publicKey(), "self_signing key"), "device " + keyId);
        return List.of(new NewSignature(signerKeyId, user, keyId, bySigner.getString(signerKeyId)));
    }

    /** Another user's master key signed by this user's user-signing key. */
    private List<NewSignature> otherSignature(UserId user, Map<String, KeyRepository.CrossSigningKey> own, UserId target,
                                              String keyId, JsonObject signed) {
        var userSigning = own.get(USER_SIGNING);
        if (userSigning == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No user_signing key found for " + user.value());
        }
        // Remote users' master keys arrive with federation; until then only local users can be signed.
        var master = keys.crossSigningKeys(database.execute(), target).get(MASTER);
        if (master == null || !keyId.equals(master.publicKey())) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown device");
        }
        requireSameKey(signed, master.json());
        String signerKeyId = KeyFormats.ED25519 + ":" + userSigning.publicKey();
        KeyFormats.requireSignature(signed, user, signerKeyId,
                KeyFormats.publicKey(userSigning.publicKey(), "user_signing key"), "master key of " + target.value());
        String signature = Signatures.keyIds(signed, user.value()).contains(signerKeyId)
                ? signed.getJsonObject("signatures").getJsonObject(user.value()).getString(signerKeyId) : null;
        return List.of(new NewSignature(signerKeyId, target, keyId, signature));
    }

    /** The signed object must be the stored key, but for signatures (spec: "POST /keys/signatures/upload"). */
    private static void requireSameKey(JsonObject signed, JsonObject stored) {
        if (!KeyFormats.unsignedPart(signed).equals(KeyFormats.unsignedPart(stored))) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Key does not match the stored key");
        }
    }
}
