package org.hearth.core.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Random secrets (access and refresh tokens, session IDs, device IDs) and the digests stored instead of them. */
public final class Tokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String DEVICE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private Tokens() {}

    /** {@code prefix} + 32 random bytes, base64url: 256 bits, so guessing is hopeless and a digest index suffices. */
    static String secret(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A shorter random string for IDs that are not secrets (UIA sessions, nonces are still unguessable). */
    static String id(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Ten capital letters, as Synapse makes them: easy to read out when verifying devices. */
    static String deviceId() {
        var sb = new StringBuilder(10);
        for (int i = 0; i < 10; i++) {
            sb.append(DEVICE_ALPHABET.charAt(RANDOM.nextInt(DEVICE_ALPHABET.length())));
        }
        return sb.toString();
    }

    /** Random characters from {@code [A-Za-z0-9._~-]}, the registration token alphabet. */
    static String registrationToken(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";
        var sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(RANDOM.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    /** Hex SHA-256 of a token: what the database keeps. */
    public static String digest(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
