package org.hearth.spec.auth;

import jakarta.json.JsonObject;
import org.hearth.spec.event.Pdu;

/**
 * Answers the one authorization rule that needs another server's keys: from v8 on, a member event with
 * {@code join_authorised_via_users_server} must be "validly signed by the homeserver of the user ID
 * denoted by the key". Verifying needs that server's published keys, which the pure rules cannot fetch,
 * so the caller supplies the answer.
 */
@FunctionalInterface
public interface SignatureCheck {

    /** Whether {@code event} carries a valid signature by {@code serverName}. */
    boolean isSignedBy(Pdu event, String serverName);

    /**
     * Trusts that signatures were verified on receipt and only asks that {@code serverName} signed at all:
     * right for events whose every signature from known keys the caller has already checked, as state
     * resolution's inputs have been.
     */
    SignatureCheck VERIFIED_ON_RECEIPT = (event, serverName) ->
            event.json().get("signatures") instanceof JsonObject signatures
                    && signatures.get(serverName) instanceof JsonObject keys
                    && !keys.isEmpty();
}
