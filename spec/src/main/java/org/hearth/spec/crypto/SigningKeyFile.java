package org.hearth.spec.crypto;

import java.util.ArrayList;
import java.util.List;

/**
 * Synapse's signing key file format, so keys move between Synapse and Hearth unchanged: one key per line,
 * {@code ed25519 <version> <seed in unpadded standard base64>}. Pure: strings in and out, no file I/O.
 */
public final class SigningKeyFile {
    private SigningKeyFile() {}

    /**
     * Reads every key in {@code text}. Blank lines are skipped; {@code IllegalArgumentException} names the
     * line of anything else that is not a well-formed ed25519 key.
     */
    public static List<SigningKey> read(String text) {
        List<SigningKey> keys = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            String[] parts = line.split("\\s+");
            if (parts.length != 3) {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected 'ed25519 <version> <seed>'");
            }
            if (!parts[0].equals(SigningKey.ALGORITHM)) {
                throw new IllegalArgumentException("line " + (i + 1) + ": unsupported algorithm '" + parts[0] + "'");
            }
            byte[] seed;
            try {
                seed = UnpaddedBase64.decode(parts[2]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + ": seed is not base64");
            }
            if (seed.length != SigningKey.SEED_LENGTH) {
                throw new IllegalArgumentException("line " + (i + 1) + ": seed must be " + SigningKey.SEED_LENGTH
                        + " bytes, got " + seed.length);
            }
            keys.add(new SigningKey(SigningKey.ALGORITHM + ":" + parts[1], seed));
        }
        return List.copyOf(keys);
    }

    /** Writes {@code keys}, one line each, every line ending with a newline. */
    public static String write(List<SigningKey> keys) {
        StringBuilder out = new StringBuilder();
        for (SigningKey key : keys) {
            out.append(SigningKey.ALGORITHM).append(' ').append(key.version()).append(' ')
                    .append(UnpaddedBase64.encode(key.seed())).append('\n');
        }
        return out.toString();
    }
}
