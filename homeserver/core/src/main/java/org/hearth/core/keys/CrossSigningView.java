package org.hearth.core.keys;

import io.helidon.dbclient.DbExecute;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * One user's keys as another user may see them (spec: "Key and signature security"): signatures uploaded later
 * merged in, those by the owner for everyone, those by the viewer's user-signing key for the viewer only.
 */
record CrossSigningView(UserId owner, UserId viewer, Map<String, KeyRepository.CrossSigningKey> crossSigning,
                        List<KeyRepository.Signature> signatures) {

    static CrossSigningView of(KeyRepository keys, DbExecute db, UserId owner, UserId viewer) {
        return new CrossSigningView(owner, viewer, keys.crossSigningKeys(db, owner), keys.signaturesOf(db, owner));
    }

    /** Device keys with the owner's later signatures (its self-signing key's). */
    JsonObject device(String deviceId, JsonObject stored) {
        return merged(stored, deviceId, false);
    }

    Optional<JsonObject> master() {
        var key = crossSigning.get("master");
        return key == null ? Optional.empty() : Optional.of(merged(key.json(), key.publicKey(), true));
    }

    Optional<JsonObject> selfSigning() {
        return Optional.ofNullable(crossSigning.get("self_signing")).map(KeyRepository.CrossSigningKey::json);
    }

    Optional<JsonObject> userSigning() {
        return Optional.ofNullable(crossSigning.get("user_signing")).map(KeyRepository.CrossSigningKey::json);
    }

    private JsonObject merged(JsonObject stored, String targetKeyId, boolean viewerMaySee) {
        JsonObjectBuilder all = stored.get("signatures") instanceof JsonObject s ? Json.objectBuilder(s) : Json.objectBuilder();
        JsonObject base = all.build();
        JsonObjectBuilder out = Json.objectBuilder(base);
        java.util.Map<String, JsonObjectBuilder> bySigner = new java.util.LinkedHashMap<>();
        for (var sig : signatures) {
            if (!sig.targetKeyId().equals(targetKeyId)) {
                continue;
            }
            boolean visible = sig.signer().equals(owner) || (viewerMaySee && sig.signer().equals(viewer));
            if (!visible) {
                continue;
            }
            bySigner.computeIfAbsent(sig.signer().value(), s -> base.get(s) instanceof JsonObject existing
                    ? Json.objectBuilder(existing) : Json.objectBuilder()).add(sig.signerKeyId(), sig.signature());
        }
        if (bySigner.isEmpty()) {
            return stored;
        }
        bySigner.forEach(out::add);
        return Json.objectBuilder(stored).add("signatures", out).build();
    }
}
