package org.hearth.spec.event;

import jakarta.json.JsonObject;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.crypto.UnpaddedBase64;
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
     * {@link #hashAndSign}, with the event ID of the result (see {@link EventIds#compute}), for events this server
     * builds. From room version 3 the event ID is the reference hash, which covers the same bytes as the signature
     * (the redacted event without {@code signatures} and {@code unsigned}): the event is redacted and written as
     * canonical JSON once for both, not once each.
     */
    public static Pdu hashSignAndIdentify(RoomVersion version, JsonObject event, String serverName, SigningKey key) {
        JsonObject hashed = ContentHash.add(version, event);
        JsonObject redacted = Redaction.redact(version, hashed);
        byte[] signingBytes = Signatures.signingBytes(redacted, version.strictCanonicalJson());
        JsonObject signedRedacted = Signatures.signBytes(redacted, serverName, key, signingBytes);
        JsonObject signed = Json.objectBuilder(hashed).add("signatures", signedRedacted.getJsonObject("signatures"))
                .build();
        String eventId = switch (version.eventIds()) {
            case SERVER_CHOSEN -> EventIds.compute(version, signed);
            case STANDARD_BASE64_HASH -> "$" + UnpaddedBase64.encode(ContentHash.sha256(signingBytes));
            case URL_SAFE_BASE64_HASH -> "$" + UnpaddedBase64.encodeUrlSafe(ContentHash.sha256(signingBytes));
        };
        return new Pdu(eventId, signed);
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
