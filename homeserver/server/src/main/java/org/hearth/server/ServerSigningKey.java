package org.hearth.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.hearth.server.config.InvalidConfigException;
import org.hearth.spec.crypto.SigningKey;

/** The server's Ed25519 signing key file, created on first start and reused afterwards. */
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
        write(file, key);
        return key;
    }

    private static String randomVersionSuffix() {
        var random = new SecureRandom();
        var suffix = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            suffix.append(VERSION_ALPHABET.charAt(random.nextInt(VERSION_ALPHABET.length())));
        }
        return suffix.toString();
    }

    // Synapse's signing key file: one line per key, "ed25519 <version> <unpadded base64 seed>".
    // TODO(spec-core): replace read/write with org.hearth.spec.crypto.SigningKeyFile once it is merged.
    static SigningKey read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read signing key " + file, e);
        }
        for (String line : text.split("\n")) {
            String[] parts = line.strip().split("\\s+");
            if (parts.length == 3 && parts[0].equals("ed25519")) {
                byte[] seed;
                try {
                    seed = Base64.getDecoder().decode(parts[2]);
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException("signing key " + file + ": the key is not base64");
                }
                if (seed.length != 32) {
                    throw new InvalidConfigException("signing key " + file + ": an Ed25519 seed has 32 bytes, found " + seed.length);
                }
                return new SigningKey("ed25519:" + parts[1], seed);
            }
        }
        throw new InvalidConfigException("signing key " + file + " holds no line 'ed25519 <version> <key>'");
    }

    static void write(Path file, SigningKey key) {
        String version = key.keyId().substring(key.keyId().indexOf(':') + 1);
        String line = "ed25519 " + version + " " + Base64.getEncoder().withoutPadding().encodeToString(key.seed()) + "\n";
        PrivateFiles.write(file, line.getBytes(StandardCharsets.UTF_8));
    }
}
