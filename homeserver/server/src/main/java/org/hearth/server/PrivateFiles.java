package org.hearth.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/** Secrets on disk (signing key, TLS keystore, config with passwords): owner-only, never overwritten. */
public final class PrivateFiles {
    private PrivateFiles() {}

    /** Creates {@code file} readable by its owner only; fails when it exists rather than replace a secret. */
    public static void write(Path file, byte[] content) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            // Created with its final mode, so the secret is never briefly world-readable.
            FileAttribute<?>[] ownerOnly = parent.getFileSystem().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            Path temp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp", ownerOnly);
            try {
                Files.write(temp, content, StandardOpenOption.TRUNCATE_EXISTING);
                // No REPLACE_EXISTING: two processes racing on a first start must not swap keys under each other.
                Files.move(temp, file);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (FileAlreadyExistsException e) {
            throw new UncheckedIOException("refusing to overwrite " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
