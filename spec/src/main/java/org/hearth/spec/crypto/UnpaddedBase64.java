package org.hearth.spec.crypto;

/** Unpadded base64 (spec: appendices, "Unpadded Base64"), in the standard and URL-safe alphabets. */
public final class UnpaddedBase64 {
    private UnpaddedBase64() {}

    public static String encode(byte[] bytes) {
        throw new UnsupportedOperationException("not yet written");
    }

    public static String encodeUrlSafe(byte[] bytes) {
        throw new UnsupportedOperationException("not yet written");
    }

    /** Decodes standard unpadded (padding tolerated); {@code IllegalArgumentException} when malformed. */
    public static byte[] decode(String text) {
        throw new UnsupportedOperationException("not yet written");
    }

    public static byte[] decodeUrlSafe(String text) {
        throw new UnsupportedOperationException("not yet written");
    }
}
