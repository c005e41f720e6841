package org.hearth.spec.event;

import jakarta.json.JsonObject;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Hashing and signing events (spec: server-server API, "Signing Events"): the content hash covers the whole
 * event, the signature only its redacted form, so a redacted copy still verifies.
 */
public final class EventSigning {
    private EventSigning() {}

    /**
     * {@code event} with {@code hashes.sha256} set and this server's signature over its redacted form added to
     * {@code signatures} (spec: "Adding hashes and signatures to outgoing events"). The rest of the event,
     * {@code unsigned} included, is kept.
     */
    public static JsonObject hashAndSign(RoomVersion version, JsonObject event, String serverName, SigningKey key) {
        return sign(version, ContentHash.add(version, event), serverName, key);
    }

    /**
     * {@code event} with this server's signature over its redacted form added, without touching {@code hashes}:
     * for co-signing an event another server built (e.g. a join through {@code make_join}/{@code send_join}).
     */
    public static JsonObject sign(RoomVersion version, JsonObject event, String serverName, SigningKey key) {
        JsonObject signedRedacted = Signatures.sign(Redaction.redact(version, event), serverName, key, version);
        return Json.objectBuilder(event).add("signatures", signedRedacted.getJsonObject("signatures")).build();
    }

    /**
     * Whether {@code event} carries a valid signature by {@code serverName} with {@code keyId}, checked on its
     * redacted form (spec: "Validating hashes and signatures on received events"). Never throws for bad input.
     */
    public static boolean verify(RoomVersion version, JsonObject event, String serverName, String keyId,
                                 byte[] publicKey) {
        return Signatures.verify(Redaction.redact(version, event), serverName, keyId, publicKey, version);
    }
}
