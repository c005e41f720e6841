package org.hearth.spec.event;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;
import org.hearth.spec.room.EventIdFormat;
import org.hearth.spec.room.RoomVersion;

/**
 * Steps 2 and 3 of "Checks performed on receipt of a PDU" (spec: Server-Server API, "Validating hashes and
 * signatures on received events"): the signatures of every server that must have signed, checked on the redacted
 * event with keys valid when the event was sent; then the content hash, whose mismatch means the event is used
 * redacted.
 */
public final class PduVerification {
    private PduVerification() {}

    /** Public keys of other servers: the key if it is known and valid at {@code validAt} (epoch ms). */
    @FunctionalInterface
    public interface KeyLookup {
        Optional<byte[]> publicKey(String serverName, String keyId, long validAt);
    }

    /** What to do with a received event. */
    public sealed interface Outcome {
        /** Signatures hold. {@code event} is what to process: the received event, or its redaction on a hash mismatch. */
        record Accepted(JsonObject event, boolean redacted) implements Outcome {}

        /** A required signature is missing or invalid: the event is dropped. */
        record Dropped(String reason) implements Outcome {}
    }

    /**
     * The servers whose signatures are required, as Synapse requires them: the sender's server (except for an
     * invite made from a third-party invite, whose sender need not have signed); in room versions 1 and 2 also
     * the server of the event ID; for a restricted join (v8+), the server of
     * {@code join_authorised_via_users_server}.
     */
    public static Set<String> requiredSigners(RoomVersion version, JsonObject event) {
        Set<String> servers = new LinkedHashSet<>();
        String type = event.getString("type", "");
        JsonObject content = event.get("content") instanceof JsonObject c ? c : JsonObject.EMPTY_JSON_OBJECT;
        String membership = content.get("membership") instanceof JsonString m ? m.getString() : "";
        boolean thirdPartyInvite = type.equals("m.room.member") && membership.equals("invite")
                && content.containsKey("third_party_invite");
        if (!thirdPartyInvite && event.get("sender") instanceof JsonString sender) {
            UserId.tryParse(sender.getString()).ifPresent(u -> servers.add(u.domain()));
        }
        if (version.eventIds() == EventIdFormat.SERVER_CHOSEN && event.get("event_id") instanceof JsonString id) {
            int colon = id.getString().indexOf(':');
            if (colon > 0 && ServerName.isValid(id.getString().substring(colon + 1))) {
                servers.add(id.getString().substring(colon + 1));
            }
        }
        if (version.restrictedJoinRule() && type.equals("m.room.member") && membership.equals("join")
                && content.get("join_authorised_via_users_server") instanceof JsonString via) {
            UserId.tryParse(via.getString()).ifPresent(u -> servers.add(u.domain()));
        }
        return servers;
    }

    /**
     * Checks signatures, then the content hash. Of each required server at least one signature must be made with
     * a key we know (valid at {@code origin_server_ts} from room version 5 on, at any time before), and every
     * signature of it with a known key must verify; signatures with unknown or expired keys are skipped.
     */
    public static Outcome verify(RoomVersion version, JsonObject event, KeyLookup keys) {
        Set<String> signers = requiredSigners(version, event);
        if (signers.isEmpty()) {
            return new Outcome.Dropped("no server whose signature could be checked");
        }
        JsonObject redacted = Redaction.redact(version, event);
        long validAt = version.enforceKeyValidity() && event.get("origin_server_ts") instanceof JsonNumber ts
                ? ts.longValue() : 0;
        for (String server : signers) {
            int verified = 0;
            for (String keyId : Signatures.keyIds(redacted, server)) {
                Optional<byte[]> key = keys.publicKey(server, keyId, validAt);
                if (key.isEmpty()) {
                    continue;
                }
                if (!Signatures.verify(redacted, server, keyId, key.get(), version)) {
                    return new Outcome.Dropped("signature " + keyId + " of " + server + " does not verify");
                }
                verified++;
            }
            if (verified == 0) {
                return new Outcome.Dropped("no signature of " + server + " with a key known to be valid then");
            }
        }
        if (!ContentHash.matches(version, event)) {
            return new Outcome.Accepted(redacted, true);
        }
        return new Outcome.Accepted(event, false);
    }
}
