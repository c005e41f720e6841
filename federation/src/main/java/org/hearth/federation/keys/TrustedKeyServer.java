package org.hearth.federation.keys;

import java.util.Map;

/**
 * A notary this server asks for keys it cannot fetch directly (config {@code federation.trusted_key_servers}, as
 * Synapse's {@code trusted_key_servers}).
 *
 * @param verifyKeys key ID to the notary's public key; its answers must carry a valid signature by one of them.
 *                   Empty: the notary's own keys are fetched from it directly (trust on first use).
 */
public record TrustedKeyServer(String serverName, Map<String, byte[]> verifyKeys) {
    public TrustedKeyServer {
        verifyKeys = Map.copyOf(verifyKeys);
    }
}
