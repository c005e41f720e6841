package org.hearth.core.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ThumbnailerTest {
    private static final List<ThumbnailSize> SIZES = ThumbnailSize.SPEC_DEFAULTS;
    private static final Thumbnailer.Dimensions WIDE = new Thumbnailer.Dimensions(1000, 500);

    private static String choose(Thumbnailer.Dimensions image, int w, int h, String method) {
        var t = Thumbnailer.choose(image, w, h, method, SIZES, "image/png");
        return t.width() + "x" + t.height() + " " + t.method();
    }

    @Test
    void picksTheNearestLargerConfiguredSize() {
        assertEquals("32x32 crop", choose(WIDE, 32, 32, "crop"));
        assertEquals("96x96 crop", choose(WIDE, 33, 33, "crop"));
        assertEquals("320x160 scale", choose(WIDE, 320, 240, "scale"));
        assertEquals("640x320 scale", choose(WIDE, 400, 300, "scale"));
        assertEquals("800x400 scale", choose(WIDE, 2000, 2000, "scale")); // none is large enough: the largest
    }

    @Test
    void neverUpscales() {
        var small = new Thumbnailer.Dimensions(20, 10);
        assertEquals("20x10 scale", choose(small, 320, 240, "scale"));
        assertEquals("20x10 crop", choose(small, 96, 96, "crop"));
    }

    @Test
    void aDecodeOverTheTimeLimitIsAborted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        var image = new java.awt.image.BufferedImage(4000, 4000, java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setPaint(new java.awt.GradientPaint(0, 0, java.awt.Color.RED, 4000, 4000, java.awt.Color.BLUE));
        g.fillRect(0, 0, 4000, 4000);
        g.dispose();
        var file = dir.resolve("big.png");
        javax.imageio.ImageIO.write(image, "png", file.toFile());
        var target = new Thumbnailer.Target(3000, 3000, "scale", "image/png"); // no subsampling: a full decode
        var e = assertThrows(org.hearth.spec.error.MatrixException.class,
                () -> new Thumbnailer(100_000_000L, java.time.Duration.ofMillis(5)).make(file, target));
        assertEquals(400, e.status());
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("took longer"), e.getMessage());
        // Within the limit the same image works.
        byte[] png = new Thumbnailer(100_000_000L).make(file, new Thumbnailer.Target(320, 320, "scale", "image/png"));
        assertEquals(320, javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png)).getWidth());
        // Over the pixel limit: 413 before decoding.
        assertEquals(413, assertThrows(org.hearth.spec.error.MatrixException.class,
                () -> new Thumbnailer(1_000_000L).make(file, target)).status());
    }

    @Test
    void sizeListParses() {
        assertEquals(SIZES, ThumbnailSize.parseList("32x32 crop, 96x96 crop, 320x240 scale, 640x480 scale, 800x600 scale"));
        assertThrows(IllegalArgumentException.class, () -> ThumbnailSize.parseList("32x32 zoom"));
        assertThrows(IllegalArgumentException.class, () -> ThumbnailSize.parseList("32 crop"));
        assertThrows(IllegalArgumentException.class, () -> ThumbnailSize.parseList("0x32 crop"));
    }
}
