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
    void sizeListParses() {
        assertEquals(SIZES, ThumbnailSize.parseList("32x32 crop, 96x96 crop, 320x240 scale, 640x480 scale, 800x600 scale"));
        assertThrows(IllegalArgumentException.class, () -> ThumbnailSize.parseList("32x32 zoom"));
        assertThrows(IllegalArgumentException.class, () -> ThumbnailSize.parseList("32 crop"));
        assertThrows(IllegalArgumentException.class, () -> ThumbnailSize.parseList("0x32 crop"));
    }
}
