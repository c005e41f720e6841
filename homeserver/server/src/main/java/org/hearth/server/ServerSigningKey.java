package org.hearth.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.hearth.server.config.InvalidConfigException;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.crypto.SigningKeyFile;

/** The server's Ed25519 signing key file (Synapse's format), created on first start and reused afterwards. */
public final class ServerSigningKey {
    private static final String VERSION_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private ServerSigningKey() {}

    /** Reads {@code file}, or generates a key and writes it there when the file does not exist. */
    public static SigningKey loadOrCreate(Path file) {
        if (Files.exists(file)) {
            return read(file);
        }
        // Synapse's key versions look like a_AbCd; staying in that shape keeps key files portable both ways.
        SigningKey key = SigningKey.generate("a_" + randomVersionSuffix());
        PrivateFiles.write(file, SigningKeyFile.write(List.of(key)).getBytes(StandardCharsets.UTF_8));
        return key;
    }

    static SigningKey read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read signing key " + file, e);
        }
        List<SigningKey> keys;
        try {
            keys = SigningKeyFile.read(text);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("signing key " + file + ": " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new InvalidConfigException("signing key " + file + " holds no key");
        }
        // Synapse signs with the first key of the file too.
        return keys.getFirst();
    }

    private static String randomVersionSuffix() {
        var random = new SecureRandom();
        var suffix = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            suffix.append(VERSION_ALPHABET.charAt(random.nextInt(VERSION_ALPHABET.length())));
        }
        return suffix.toString();
    }
}
