package org.hearth.bridge.telegram;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * The converters present on this machine, found on PATH: ffmpeg (Debian) for .webm video stickers, a Lottie renderer
 * (python-lottie's {@code lottie_convert.py}; Debian ships only the rlottie library) for .tgs. Each turns a sticker into
 * an animated WebP, or says why it could not.
 */
public final class Converters {
    private static final long TIMEOUT_SECONDS = 120;

    private final Optional<Path> ffmpeg;
    private final Optional<Path> lottie;

    public Converters(Optional<Path> ffmpeg, Optional<Path> lottie) {
        this.ffmpeg = ffmpeg;
        this.lottie = lottie;
    }

    /** Whatever this machine has. */
    public static Converters onPath() {
        return new Converters(find("ffmpeg"), find("lottie_convert.py"));
    }

    /** None: every animation takes the thumbnail path. */
    public static Converters none() {
        return new Converters(Optional.empty(), Optional.empty());
    }

    static Optional<Path> find(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The outcome of one conversion: the WebP, or the reason there is none. */
    public record Result(Optional<byte[]> webp, String reason) {
        static Result ok(byte[] webp) {
            return new Result(Optional.of(webp), "converted");
        }

        static Result no(String reason) {
            return new Result(Optional.empty(), reason);
        }
    }

    public Result video(byte[] webm) {
        if (webm.length < 4 || (webm[0] & 0xff) != 0x1A || (webm[1] & 0xff) != 0x45 || (webm[2] & 0xff) != 0xDF
                || (webm[3] & 0xff) != 0xA3) {
            return Result.no("the video file is not WebM");
        }
        if (ffmpeg.isEmpty()) {
            return Result.no("no ffmpeg on this machine to convert the video");
        }
        return run(webm, ".webm", (in, out) -> List.of(ffmpeg.get().toString(), "-hide_banner", "-loglevel", "error",
                "-y", "-i", in.toString(), "-c:v", "libwebp", "-loop", "0", "-an", out.toString()));
    }

    public Result lottie(byte[] tgs) {
        try (var in = new GZIPInputStream(new ByteArrayInputStream(tgs))) {
            byte[] json = in.readNBytes(8 << 20);
            var doc = jakarta.json.Json.createReader(new ByteArrayInputStream(json)).readObject();
            if (!doc.containsKey("layers")) {
                return Result.no("the animation is not a Lottie document");
            }
        } catch (IOException | RuntimeException e) {
            return Result.no("the animation is not a gzipped Lottie document");
        }
        if (lottie.isEmpty()) {
            return Result.no("no Lottie renderer on this machine to convert the animation");
        }
        return run(tgs, ".tgs", (in, out) -> List.of(lottie.get().toString(), in.toString(), out.toString()));
    }

    private interface Command {
        List<String> of(Path in, Path out);
    }

    private static Result run(byte[] input, String suffix, Command command) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sticker-");
            Path in = Files.write(dir.resolve("in" + suffix), input);
            Path out = dir.resolve("out.webp");
            Process p = new ProcessBuilder(command.of(in, out)).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("log").toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Result.no("the converter took longer than " + TIMEOUT_SECONDS + " s");
            }
            if (p.exitValue() != 0 || !Files.exists(out) || ImageFacts.of(Files.readAllBytes(out)).isEmpty()) {
                return Result.no("the converter failed (exit " + p.exitValue() + ")");
            }
            return Result.ok(Files.readAllBytes(out));
        } catch (IOException e) {
            return Result.no("the converter could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Result.no("interrupted");
        } finally {
            if (dir != null) {
                try (var walk = Files.walk(dir)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                } catch (IOException e) {
                    // a temp directory left behind
                }
            }
        }
    }
}
