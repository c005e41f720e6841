package org.hearth.bridge.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The video path with the machine's real ffmpeg when it has one (Debian's package), else the fallback the importer
 * then takes: either way the outcome is checked, never skipped.
 */
class ConvertersTest {
    @Test
    void aWebmStickerBecomesAnAnimatedWebpWhenFfmpegIsPresent(@TempDir Path dir) throws Exception {
        Converters onPath = Converters.onPath();
        Optional<Path> ffmpeg = Converters.find("ffmpeg");
        if (ffmpeg.isEmpty()) {
            assertTrue(onPath.video(Fixtures.tinyVideo()).reason().contains("no ffmpeg"));
            return;
        }
        // A one-second 64x64 VP9 clip with alpha, as Telegram's video stickers are, made by ffmpeg itself.
        Path webm = dir.resolve("sticker.webm");
        Process make = new ProcessBuilder(ffmpeg.get().toString(), "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", "testsrc=size=64x64:rate=10", "-t", "1", "-c:v", "libvpx-vp9",
                "-pix_fmt", "yuva420p", webm.toString()).redirectErrorStream(true).start();
        assertTrue(make.waitFor(60, TimeUnit.SECONDS) && make.exitValue() == 0,
                "ffmpeg could not make the test clip: " + new String(make.getInputStream().readAllBytes()));

        Converters.Result result = onPath.video(Files.readAllBytes(webm));
        assertEquals("converted", result.reason());
        ImageFacts facts = ImageFacts.of(result.webp().orElseThrow()).orElseThrow();
        assertEquals(new ImageFacts("image/webp", 64, 64, true), facts);
        // A file that is not WebM never reaches ffmpeg.
        assertTrue(onPath.video(Fixtures.corrupt()).reason().contains("not WebM"));
    }
}
