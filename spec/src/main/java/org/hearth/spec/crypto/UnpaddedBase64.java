package org.hearth.spec.crypto;

import java.util.Base64;

/** Unpadded base64 (spec: appendices, "Unpadded Base64"), in the standard and URL-safe alphabets. */
public final class UnpaddedBase64 {
    private UnpaddedBase64() {}

    private static final Base64.Encoder STANDARD = Base64.getEncoder().withoutPadding();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    /** Standard alphabet ({@code +}, {@code /}), no {@code =} padding. */
    public static String encode(byte[] bytes) {
        return STANDARD.encodeToString(bytes);
    }

    /** URL-safe alphabet ({@code -}, {@code _}), no padding (spec: "URL-safe unpadded Base64"). */
    public static String encodeUrlSafe(byte[] bytes) {
        return URL_SAFE.encodeToString(bytes);
    }

    /**
     * Decodes standard base64; padding is tolerated because the spec says decoders "SHOULD accept input with
     * or without padding". {@code IllegalArgumentException} for characters outside the alphabet or an
     * impossible length.
     */
    public static byte[] decode(String text) {
        return Base64.getDecoder().decode(text);
    }

    /** Decodes URL-safe base64, padding tolerated; {@code IllegalArgumentException} when malformed. */
    public static byte[] decodeUrlSafe(String text) {
        return Base64.getUrlDecoder().decode(text);
    }
}
