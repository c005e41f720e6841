package org.hearth.bridge.telegram;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * What the pack's {@code info} says about an image, read from the file itself: mimetype, size in pixels and whether
 * it is animated. Empty for anything that is not a readable WebP, PNG, GIF or JPEG.
 */
public record ImageFacts(String mimetype, int width, int height, boolean animated) {

    public static Optional<ImageFacts> of(byte[] b) {
        try {
            if (b.length >= 30 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
                return webp(b);
            }
            if (b.length >= 24 && (b[0] & 0xff) == 0x89 && ascii(b, 1, "PNG")) {
                // IHDR comes first; an APNG has an acTL chunk before its first IDAT.
                return Optional.of(new ImageFacts("image/png", be32(b, 16), be32(b, 20), indexOf(b, "acTL") > 0
                        && indexOf(b, "acTL") < Math.max(indexOf(b, "IDAT"), 0)));
            }
            if (b.length >= 10 && ascii(b, 0, "GIF8")) {
                return Optional.of(new ImageFacts("image/gif", le16(b, 6), le16(b, 8), false));
            }
            if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
                var image = ImageIO.read(new ByteArrayInputStream(b));
                return image == null ? Optional.empty()
                        : Optional.of(new ImageFacts("image/jpeg", image.getWidth(), image.getHeight(), false));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<ImageFacts> webp(byte[] b) {
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        return switch (chunk) {
            case "VP8X" -> Optional.of(new ImageFacts("image/webp", le24(b, 24) + 1, le24(b, 27) + 1, (b[20] & 0x02) != 0));
            case "VP8L" -> {
                if ((b[20] & 0xff) != 0x2f) {
                    yield Optional.empty();
                }
                int bits = (b[21] & 0xff) | (b[22] & 0xff) << 8 | (b[23] & 0xff) << 16 | (b[24] & 0xff) << 24;
                yield Optional.of(new ImageFacts("image/webp", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, false));
            }
            case "VP8 " -> {
                if ((b[23] & 0xff) != 0x9d || (b[24] & 0xff) != 0x01 || (b[25] & 0xff) != 0x2a) {
                    yield Optional.empty();
                }
                yield Optional.of(new ImageFacts("image/webp", le16(b, 26) & 0x3fff, le16(b, 28) & 0x3fff, false));
            }
            default -> Optional.empty();
        };
    }

    private static boolean ascii(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, String s) {
        outer:
        for (int i = 0; i + s.length() <= b.length; i++) {
            for (int j = 0; j < s.length(); j++) {
                if (b[i + j] != s.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int be32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | (b[at + 3] & 0xff);
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    private static int le24(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16;
    }
}
