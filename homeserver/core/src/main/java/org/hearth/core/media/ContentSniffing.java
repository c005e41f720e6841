package org.hearth.core.media;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The spec lets a server serve {@code application/octet-stream} "when the server determines the content type is
 * obviously wrong" (e.g. an encrypted file claimed as {@code image/png}). For the image types browsers render
 * inline and thumbnails are made from, the file's magic bytes must match the claim; otherwise it is stored as
 * {@code application/octet-stream} (and so served as an attachment). Other types are kept as uploaded.
 */
final class ContentSniffing {
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG = {(byte) 0xff, (byte) 0xd8, (byte) 0xff};
    private static final byte[] GIF87 = "GIF87a".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GIF89 = "GIF89a".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RIFF = "RIFF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WEBP = "WEBP".getBytes(StandardCharsets.US_ASCII);

    private ContentSniffing() {}

    /** {@code claimed} when it fits {@code head} (or is not a checked type), else application/octet-stream. */
    static String checked(String claimed, byte[] head) {
        boolean fits = switch (ContentRepository.baseType(claimed)) {
            case "image/png", "image/apng" -> startsWith(head, 0, PNG);
            case "image/jpeg", "image/jpg", "image/pjpeg" -> startsWith(head, 0, JPEG);
            case "image/gif" -> startsWith(head, 0, GIF87) || startsWith(head, 0, GIF89);
            case "image/webp" -> startsWith(head, 0, RIFF) && startsWith(head, 8, WEBP);
            default -> true;
        };
        return fits ? claimed : "application/octet-stream";
    }

    private static boolean startsWith(byte[] head, int offset, byte[] magic) {
        return head.length >= offset + magic.length
                && Arrays.equals(head, offset, offset + magic.length, magic, 0, magic.length);
    }
}
