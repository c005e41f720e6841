package org.hearth.bridge.telegram;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Small real files for the tests, made here: WebP, PNG, a gzipped Lottie document, broken ones, a tiny "video". */
final class Fixtures {
    private Fixtures() {}

    /** A 1x1 lossless WebP (VP8L). */
    static final byte[] WEBP_LOSSLESS = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");
    /** A 1x1 lossy WebP (VP8). */
    static final byte[] WEBP_LOSSY = Base64.getDecoder().decode("UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA");

    /** A real PNG of {@code size} pixels in one colour (distinct colours give distinct files). */
    static byte[] png(int size, Color color) {
        var image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        var g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, size, size);
        g.dispose();
        var out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A minimal Lottie animation, gzipped as Telegram's .tgs files are. */
    static byte[] tgs() {
        String lottie = "{\"v\":\"5.5.2\",\"fr\":60,\"ip\":0,\"op\":60,\"w\":512,\"h\":512,\"nm\":\"t\",\"ddd\":0,\"assets\":[],\"layers\":[]}";
        var out = new ByteArrayOutputStream();
        try (var gz = new GZIPOutputStream(out)) {
            gz.write(lottie.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static byte[] corrupt() {
        return "this is not a sticker at all".getBytes(StandardCharsets.US_ASCII);
    }

    /** The EBML header a WebM file starts with and a few bytes: a video no decoder will play. */
    static byte[] tinyVideo() {
        return new byte[] {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3, (byte) 0x9F, 0x42, (byte) 0x86, (byte) 0x81, 0x01,
                0x42, (byte) 0xF7, (byte) 0x81, 0x01, 0x42, (byte) 0x82, (byte) 0x84, 'w', 'e', 'b', 'm'};
    }
}
