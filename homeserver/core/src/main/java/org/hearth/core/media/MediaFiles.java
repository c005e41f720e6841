package org.hearth.core.media;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * The files under {@code media_dir}: content named by the SHA-256 of its bytes ({@code content/ab/cd/<sha256>}),
 * so identical uploads share one file; thumbnails beside it ({@code thumbnails/ab/cd/<sha256>-<w>x<h>-<method>.<ext>}).
 * No path is ever built from user input: only from hex digests and numbers. Files are written in {@code tmp/} and
 * renamed into place, so a reader never sees half a file.
 */
public final class MediaFiles {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private final Path root;
    private final Path tmp;

    public MediaFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.tmp = this.root.resolve("tmp");
        try {
            Files.createDirectories(tmp);
            // Uploads cut off by a crash left their temp files; nothing refers to them.
            try (var stale = Files.list(tmp)) {
                for (Path p : stale.toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + tmp + ": " + e.getMessage(), e);
        }
    }

    /** What {@link #store} wrote; {@code head}: its first bytes (up to 16), for checking the claimed type. */
    public record Stored(String sha256, long size, byte[] head) {}

    /**
     * Copies {@code body} to disk, hashing as it goes, and files it under its SHA-256. Never holds more than a
     * buffer in memory. Past {@code maxBytes} it stops reading, deletes what it wrote and throws 413 M_TOO_LARGE.
     */
    public Stored store(InputStream body, long maxBytes) {
        return store(body, maxBytes, () -> new MatrixException(ErrorCode.TOO_LARGE,
                "Upload is over the limit of " + maxBytes + " bytes"));
    }

    /** As {@link #store(InputStream, long)}, throwing {@code over} past {@code maxBytes}. */
    public Stored store(InputStream body, long maxBytes, java.util.function.Supplier<RuntimeException> over) {
        Path part = tmp.resolve(UUID.randomUUID() + ".part");
        try {
            MessageDigest sha = sha256();
            long size = 0;
            byte[] head = new byte[16];
            int headLength = 0;
            try (FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(channel)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                    size += n;
                    if (size > maxBytes) {
                        throw over.get();
                    }
                    sha.update(buffer, 0, n);
                    out.write(buffer, 0, n);
                    int take = Math.min(n, head.length - headLength);
                    System.arraycopy(buffer, 0, head, headLength, take);
                    headLength += take;
                }
                out.flush();
                channel.force(true);
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            Path target = content(hex);
            Files.createDirectories(target.getParent());
            if (Files.exists(target)) {
                Files.delete(part); // the same bytes are already stored
            } else {
                moveIntoPlace(part, target);
            }
            return new Stored(hex, size, java.util.Arrays.copyOf(head, headLength));
        } catch (IOException e) {
            deleteQuietly(part);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            deleteQuietly(part);
            throw e;
        }
    }

    /** Writes {@code bytes} as the given thumbnail file (atomically). */
    public void storeThumbnail(Path target, byte[] bytes) {
        Path part = tmp.resolve(UUID.randomUUID() + ".part");
        try {
            Files.write(part, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.createDirectories(target.getParent());
            moveIntoPlace(part, target);
        } catch (IOException e) {
            deleteQuietly(part);
            throw new UncheckedIOException(e);
        }
    }

    public Path content(String sha256) {
        return fanOut("content", sha256).resolve(checked(sha256));
    }

    /** Deletes the content named {@code sha256} and every thumbnail made of it. */
    public void delete(String sha256) {
        deleteQuietly(content(sha256));
        Path thumbs = fanOut("thumbnails", sha256);
        if (Files.isDirectory(thumbs)) {
            try (var list = Files.list(thumbs)) {
                for (Path p : list.toList()) {
                    if (p.getFileName().toString().startsWith(sha256 + "-")) {
                        deleteQuietly(p);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    public Path thumbnail(String sha256, int width, int height, String method, String extension) {
        return fanOut("thumbnails", sha256).resolve(checked(sha256) + "-" + width + "x" + height + "-"
                + ("crop".equals(method) ? "crop" : "scale") + "." + ("png".equals(extension) ? "png" : "jpg"));
    }

    private Path fanOut(String area, String sha256) {
        String hex = checked(sha256);
        return root.resolve(area).resolve(hex.substring(0, 2)).resolve(hex.substring(2, 4));
    }

    private static String checked(String sha256) {
        if (!SHA256.matcher(sha256).matches()) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
        }
        return sha256;
    }

    private static void moveIntoPlace(Path part, Path target) throws IOException {
        try {
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            Files.deleteIfExists(part); // another request stored the same bytes first
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // left for the clean-up at the next start
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
