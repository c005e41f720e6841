package org.hearth.bridge.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageFactsTest {
    @Test
    void readsTheSizeAndTypeFromTheFile() {
        assertEquals(Optional.of(new ImageFacts("image/webp", 1, 1, false)), ImageFacts.of(Fixtures.WEBP_LOSSLESS));
        assertEquals(Optional.of(new ImageFacts("image/webp", 1, 1, false)), ImageFacts.of(Fixtures.WEBP_LOSSY));
        assertEquals(Optional.of(new ImageFacts("image/png", 20, 20, false)), ImageFacts.of(Fixtures.png(20, Color.RED)));
        assertTrue(ImageFacts.of(Fixtures.corrupt()).isEmpty());
        assertTrue(ImageFacts.of(Fixtures.tgs()).isEmpty());
        assertTrue(ImageFacts.of(new byte[0]).isEmpty());
    }

    @Test
    void withoutConvertersAnimationsSayWhy() {
        var none = Converters.none();
        assertTrue(none.lottie(Fixtures.tgs()).reason().contains("no Lottie renderer"));
        assertTrue(none.lottie(Fixtures.corrupt()).reason().contains("not a gzipped Lottie"));
        assertTrue(none.video(Fixtures.tinyVideo()).reason().contains("no ffmpeg"));
        assertTrue(none.video(Fixtures.corrupt()).reason().contains("not WebM"));
    }
}
