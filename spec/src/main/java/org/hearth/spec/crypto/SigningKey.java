package org.hearth.spec.crypto;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.signature.Ed25519PrivateKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    // Building a Tink signer expands the seed (a hash and a scalar multiplication): as costly as a signature,
    // so one per key is kept. Servers hold a handful of keys; the cap only stops a leak if callers mint many.
    private static final Map<SigningKey, Keys> CACHE = new ConcurrentHashMap<>();
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
        return keys().publicKey.clone();
    }

    /** The public key in unpadded standard base64, as published in {@code verify_keys}. */
    public String publicKeyBase64() {
        return UnpaddedBase64.encode(keys().publicKey);
    }

    /** The 64-byte Ed25519 signature of {@code message}. */
    public byte[] sign(byte[] message) {
        try {
            return keys().signer.sign(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    private Keys keys() {
        Keys k = CACHE.get(this);
        if (k == null) {
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear();
            }
            k = Keys.of(seed);
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

    private record Keys(byte[] publicKey, PublicKeySign signer) {
        static Keys of(byte[] seed) {
            try {
                // STACK.md "Tink Ed25519 with raw Matrix keys": the seed is the RFC 8032 private key; the
                // NO_PREFIX signature is the bare 64 bytes Matrix expects.
                byte[] pub = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed).getPublicKey();
                Ed25519PublicKey publicKey = Ed25519PublicKey.create(Bytes.copyFrom(pub));
                Ed25519PrivateKey privateKey = Ed25519PrivateKey.create(publicKey,
                        SecretBytes.copyFrom(seed, InsecureSecretKeyAccess.get()));
                return new Keys(pub, Ed25519Sign.create(privateKey));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 key setup failed", e);
            }
        }
    }
}
