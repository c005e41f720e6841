package org.hearth.federation.keys;

/**
 * A server's public Ed25519 key and until when signatures made with it count.
 *
 * @param validUntilTs epoch ms; for an old key its {@code expired_ts}
 */
public record VerifyKey(String serverName, String keyId, byte[] publicKey, long validUntilTs) {
    public boolean validAt(long ts) {
        return validUntilTs >= ts;
    }
}
