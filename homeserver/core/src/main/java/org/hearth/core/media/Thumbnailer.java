package org.hearth.core.media;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import net.coobird.thumbnailator.Thumbnails;
import net.coobird.thumbnailator.geometry.Positions;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Thumbnails of JPEG, PNG, GIF (first frame) and WebP with ImageIO (WebP through TwelveMonkeys) and Thumbnailator.
 * The image's size is read from its header before any pixel is decoded, so an image over the pixel limit (a
 * decompression bomb) is refused with 413 M_TOO_LARGE instead of filling the heap; at most two images are decoded
 * at once, each for at most {@link #DECODE_TIME_LIMIT}.
 */
public final class Thumbnailer {
    /** The types thumbnails are made from; anything else answers 400 as Synapse does. */
    public static final Set<String> SOURCE_TYPES = Set.of("image/jpeg", "image/jpg", "image/pjpeg", "image/png",
            "image/gif", "image/webp");
    /** Decodes longer than this are aborted (ImageReader.abort): a slow image cannot hold a thread for long. */
    static final Duration DECODE_TIME_LIMIT = Duration.ofSeconds(10);
    private static final ScheduledExecutorService ABORTS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "thumbnail-decode-deadlines");
        t.setDaemon(true);
        return t;
    });
    private final long maxPixels;
    private final Duration decodeTimeLimit;
    private final Semaphore decoding = new Semaphore(2);

    public Thumbnailer(long maxPixels) {
        this(maxPixels, DECODE_TIME_LIMIT);
    }

    Thumbnailer(long maxPixels, Duration decodeTimeLimit) {
        this.maxPixels = maxPixels;
        this.decodeTimeLimit = decodeTimeLimit;
    }

    public record Dimensions(int width, int height) {}

    /** A thumbnail to make: its final size, method, and output type ({@code image/png} or {@code image/jpeg}). */
    public record Target(int width, int height, String method, String contentType) {
        public String extension() {
            return contentType.equals("image/png") ? "png" : "jpg";
        }
    }

    /** JPEG stays JPEG; everything else (possibly transparent) becomes PNG, as Synapse does. */
    public static String outputType(String sourceType) {
        return sourceType.equals("image/jpeg") || sourceType.equals("image/jpg") || sourceType.equals("image/pjpeg")
                ? "image/jpeg" : "image/png";
    }

    /** The image's size from its header; 400 when it is not a readable image, 413 when over the pixel limit. */
    public Dimensions probe(Path file) {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = reader(in);
            try {
                reader.setInput(in, true, true);
                return checked(reader.getWidth(0), reader.getHeight(0));
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MatrixException m) {
                throw m;
            }
            throw cannotThumbnail();
        }
    }

    private Dimensions checked(int width, int height) {
        if (width < 1 || height < 1) {
            throw cannotThumbnail();
        }
        if ((long) width * height > maxPixels) {
            throw new MatrixException(ErrorCode.TOO_LARGE, "Image is too large to thumbnail ("
                    + width + "x" + height + " pixels)");
        }
        return new Dimensions(width, height);
    }

    /**
     * The size to make for a request of {@code width}x{@code height} by {@code method}: one of the configured
     * sizes (chosen as Synapse chooses: the smallest that is at least the requested size, else the largest),
     * as it comes out for this image. Never larger than the image (no upscaling).
     */
    public static Target choose(Dimensions image, int width, int height, String method, List<ThumbnailSize> sizes,
                                String outputType) {
        List<ThumbnailSize> sameMethod = sizes.stream().filter(s -> s.method().equals(method)).toList();
        List<ThumbnailSize> candidates = sameMethod.isEmpty() ? sizes : sameMethod;
        List<Target> targets = candidates.stream().map(s -> target(image, s, outputType)).toList();
        if (method.equals("crop")) {
            Comparator<Target> quality = Comparator
                    .comparingLong((Target t) -> Math.abs((long) width * t.height() - (long) height * t.width()))
                    .thenComparingInt(t -> width <= t.width() && height <= t.height() ? 0 : 1)
                    .thenComparingLong(t -> Math.abs((long) (width - t.width()) * (height - t.height())));
            List<Target> bigEnough = targets.stream().filter(t -> t.width() >= width || t.height() >= height).toList();
            return (bigEnough.isEmpty() ? targets : bigEnough).stream().min(quality).orElseThrow();
        }
        List<Target> bigEnough = targets.stream().filter(t -> t.width() >= width || t.height() >= height).toList();
        Comparator<Target> area = Comparator.comparingLong(t -> (long) t.width() * t.height());
        return bigEnough.isEmpty()
                ? targets.stream().max(area).orElseThrow()
                : bigEnough.stream().min(area).orElseThrow();
    }

    /** {@code size} applied to the image: crop fills the box exactly, scale fits inside it; neither upscales. */
    static Target target(Dimensions image, ThumbnailSize size, String outputType) {
        if (size.method().equals("crop")) {
            return new Target(Math.min(size.width(), image.width()), Math.min(size.height(), image.height()), "crop", outputType);
        }
        if (image.width() <= size.width() && image.height() <= size.height()) {
            return new Target(image.width(), image.height(), "scale", outputType);
        }
        // Fit inside the box, keeping the aspect ratio.
        if ((long) size.width() * image.height() <= (long) size.height() * image.width()) {
            return new Target(size.width(), Math.max(1, (int) ((long) size.width() * image.height() / image.width())),
                    "scale", outputType);
        }
        return new Target(Math.max(1, (int) ((long) size.height() * image.width() / image.height())), size.height(),
                "scale", outputType);
    }

    /** Decodes {@code file} (bounded as {@link #probe}) and returns the encoded thumbnail. */
    public byte[] make(Path file, Target target) {
        try {
            decoding.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MatrixException(ErrorCode.UNKNOWN, 503, "Interrupted");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            ImageReader reader = reader(in);
            BufferedImage image;
            try {
                reader.setInput(in, true, true);
                Dimensions size = checked(reader.getWidth(0), reader.getHeight(0));
                ImageReadParam param = reader.getDefaultReadParam();
                // Decode large images subsampled (still at least twice the target): less memory, same result.
                int step = Math.max(1, Math.min(size.width() / (2 * target.width()), size.height() / (2 * target.height())));
                if (step > 1) {
                    param.setSourceSubsampling(step, step, 0, 0);
                }
                AtomicBoolean aborted = new AtomicBoolean();
                ScheduledFuture<?> deadline = ABORTS.schedule(() -> {
                    aborted.set(true);
                    reader.abort();
                }, decodeTimeLimit.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    image = reader.read(0, param);
                } finally {
                    deadline.cancel(false);
                }
                if (aborted.get() || image == null) {
                    throw new MatrixException(ErrorCode.UNKNOWN, "Cannot generate thumbnails for the requested content"
                            + " (decoding took longer than " + decodeTimeLimit.toMillis() + " ms)");
                }
            } finally {
                reader.dispose();
            }
            var builder = Thumbnails.of(image).size(target.width(), target.height());
            if (target.method().equals("crop")) {
                builder.crop(Positions.CENTER);
            } else {
                builder.keepAspectRatio(false);
            }
            if (target.contentType().equals("image/jpeg")) {
                builder.imageType(BufferedImage.TYPE_INT_RGB).outputFormat("jpg").outputQuality(0.85);
            } else {
                builder.outputFormat("png");
            }
            var out = new ByteArrayOutputStream();
            builder.toOutputStream(out);
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            if (e instanceof MatrixException m) {
                throw m;
            }
            throw cannotThumbnail();
        } finally {
            decoding.release();
        }
    }

    private static ImageReader reader(ImageInputStream in) {
        if (in == null) {
            throw cannotThumbnail();
        }
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        if (!readers.hasNext()) {
            throw cannotThumbnail();
        }
        return readers.next();
    }

    static MatrixException cannotThumbnail() {
        return new MatrixException(ErrorCode.UNKNOWN, "Cannot generate thumbnails for the requested content");
    }
}
