package org.hearth.spec.crypto;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * An Ed25519 signing key of a server: its key ID ({@code ed25519:<version>}) and 32-byte seed (the RFC 8032
 * private key, as Synapse stores it).
 *
 * <p>Equality compares the seed's content, not the array's identity.
 */
public record SigningKey(String keyId, byte[] seed) {

    /** The algorithm prefix of every key ID this class makes (spec: appendices, "Signing Details"). */
    public static final String ALGORITHM = "ed25519";
    /** Length of an Ed25519 seed. */
    public static final int SEED_LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();
    // The public key costs a hash and a scalar multiplication, as much as a signature, so one per key is kept.
    // Servers hold a handful of keys; the cap only stops a leak if callers mint many.
    private static final Map<SigningKey, byte[]> CACHE = new ConcurrentHashMap<>();
    private static final int CACHE_LIMIT = 256;

    public SigningKey {
        if (keyId == null || !keyId.startsWith(ALGORITHM + ":") || keyId.length() == ALGORITHM.length() + 1) {
            throw new IllegalArgumentException("key ID must be ed25519:<version>, got " + keyId);
        }
        if (seed == null || seed.length != SEED_LENGTH) {
            throw new IllegalArgumentException("an Ed25519 seed has " + SEED_LENGTH + " bytes");
        }
        seed = seed.clone();
    }

    /** A new random key with key ID {@code ed25519:<version>}. */
    public static SigningKey generate(String version) {
        byte[] seed = new byte[SEED_LENGTH];
        RANDOM.nextBytes(seed);
        return new SigningKey(ALGORITHM + ":" + version, seed);
    }

    /** The seed (a copy). */
    @Override
    public byte[] seed() {
        return seed.clone();
    }

    /** The part of the key ID after {@code ed25519:}. */
    public String version() {
        return keyId.substring(ALGORITHM.length() + 1);
    }

    /** The 32-byte public key. */
    public byte[] publicKey() {
        return publicKeyBytes().clone();
    }

    /** The public key in unpadded standard base64, as published in {@code verify_keys}. */
    public String publicKeyBase64() {
        return UnpaddedBase64.encode(publicKeyBytes());
    }

    /**
     * The 64-byte Ed25519 signature of {@code message} (RFC 8032, deterministic: the same bytes whichever library
     * signs). BouncyCastle's, not Tink's: it signs in ~41 us of CPU against Tink's ~72 us and the JDK's ~750 us
     * (Ed25519Bench, this machine, JDK 25), and signing is a third of the CPU of a message send.
     */
    public byte[] sign(byte[] message) {
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed, 0, publicKeyBytes(), 0, message, 0, message.length, signature, 0);
        return signature;
    }

    private byte[] publicKeyBytes() {
        byte[] k = CACHE.get(this);
        if (k == null) {
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear();
            }
            k = new byte[Ed25519.PUBLIC_KEY_SIZE];
            Ed25519.generatePublicKey(seed, 0, k, 0);
            CACHE.put(this, k);
        }
        return k;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SigningKey other && keyId.equals(other.keyId) && Arrays.equals(seed, other.seed);
    }

    @Override
    public int hashCode() {
        return 31 * keyId.hashCode() + Arrays.hashCode(seed);
    }

    /** Never prints the seed. */
    @Override
    public String toString() {
        return "SigningKey[" + keyId + "]";
    }
}
