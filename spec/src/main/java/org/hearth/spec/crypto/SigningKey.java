package org.hearth.spec.crypto;

/**
 * An Ed25519 signing key of a server: its key ID ({@code ed25519:<version>}) and 32-byte seed.
 */
public record SigningKey(String keyId, byte[] seed) {

    /** A new random key with key ID {@code ed25519:<version>}. */
    public static SigningKey generate(String version) {
        throw new UnsupportedOperationException("not yet written");
    }

    /** The 32-byte public key. */
    public byte[] publicKey() {
        throw new UnsupportedOperationException("not yet written");
    }

    /** The public key in unpadded standard base64, as published in {@code verify_keys}. */
    public String publicKeyBase64() {
        return UnpaddedBase64.encode(publicKey());
    }

    /** The 64-byte Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        throw new UnsupportedOperationException("not yet written");
    }
}
