package org.hearth.federation.inbound;

import jakarta.json.JsonObject;
import org.hearth.federation.keys.ServerKeys;
import org.hearth.federation.keys.VerifyKey;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.EventFormat;
import org.hearth.spec.event.EventIds;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.PduVerification;
import org.hearth.spec.room.RoomVersion;

/**
 * Steps 1 to 3 of "Checks performed on receipt of a PDU" for PDUs arriving over federation (transactions, joins,
 * backfill): the room version's event format and size, then the required servers' signatures with their keys
 * from {@link ServerKeys} (fetched when unknown), then the content hash. The auth steps come after, in the room
 * engine.
 */
public final class PduChecks {
    private final PduVerification.KeyLookup keys;

    public PduChecks(PduVerification.KeyLookup keys) {
        this.keys = keys;
    }

    public static PduChecks over(ServerKeys keys) {
        return new PduChecks((server, keyId, validAt) -> keys.find(server, keyId, validAt).map(VerifyKey::publicKey));
    }

    /** The outcome for one received PDU. */
    public sealed interface Checked {
        /** Usable: {@code pdu} is the event as received, or redacted when its content hash did not match. */
        record Usable(Pdu pdu, boolean redacted) implements Checked {}

        /** Dropped (spec: invalid format or signatures): not stored, not processed. */
        record Dropped(String reason) implements Checked {}
    }

    /** Whether {@code server} signed {@code event} with a key valid then (e.g. the invitee's server on an invite). */
    public boolean signedBy(RoomVersion version, JsonObject event, String server) {
        JsonObject redacted = org.hearth.spec.event.Redaction.redact(version, event);
        long validAt = version.enforceKeyValidity() ? event.getJsonNumber("origin_server_ts").longValue() : 0;
        for (String keyId : org.hearth.spec.crypto.Signatures.keyIds(redacted, server)) {
            var key = keys.publicKey(server, keyId, validAt);
            if (key.isPresent() && org.hearth.spec.crypto.Signatures.verify(redacted, server, keyId, key.get(), version)) {
                return true;
            }
        }
        return false;
    }

    public Checked check(RoomVersion version, JsonObject event) {
        try {
            EventFormat.validate(version, event);
        } catch (MatrixException e) {
            return new Checked.Dropped("invalid event: " + e.getMessage());
        }
        return switch (PduVerification.verify(version, event, keys)) {
            case PduVerification.Outcome.Dropped(String reason) -> new Checked.Dropped(reason);
            case PduVerification.Outcome.Accepted(JsonObject usable, boolean redacted) ->
                    // The event ID comes from the redacted form (reference hash), so a redaction keeps it.
                    new Checked.Usable(EventIds.pdu(version, usable), redacted);
        };
    }
}
