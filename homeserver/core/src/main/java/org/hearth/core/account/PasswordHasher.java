package org.hearth.core.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Argon2id password hashes in the PHC string format ({@code $argon2id$v=19$m=19456,t=2,p=1$salt$hash}, unpadded
 * base64), as libsodium and Synapse's argon2 write them. Verification reads the parameters from the stored string,
 * so changing the cost leaves existing hashes valid.
 */
public final class PasswordHasher {
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    /** Argon2 memory (KiB), iterations and lanes. */
    public record Cost(int memoryKib, int iterations, int parallelism) {
        /** OWASP's first Argon2id recommendation: ~165 ms a hash on the 2-core build machines. */
        public static final Cost DEFAULT = new Cost(19 * 1024, 2, 1);
        /** For test servers only: thousands of test users would otherwise burn minutes of CPU. Not secure. */
        public static final Cost TEST = new Cost(64, 1, 1);

        public Cost {
            if (parallelism < 1 || iterations < 1 || memoryKib < 8 * parallelism) {
                throw new IllegalArgumentException("invalid Argon2 cost m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism);
            }
        }

        /** {@code default} or {@code test}. */
        public static Cost named(String name) {
            return switch (name) {
                case "default" -> DEFAULT;
                case "test" -> TEST;
                default -> throw new IllegalArgumentException("password hash cost must be 'default' or 'test', got '" + name + "'");
            };
        }
    }

    private final Cost cost;
    private final SecureRandom random = new SecureRandom();

    public PasswordHasher(Cost cost) {
        this.cost = cost;
    }

    public String hash(String password) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        byte[] hash = argon2(password, salt, cost, HASH_BYTES);
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /** Whether {@code password} matches {@code phc}; false for anything malformed (never throws on stored data). */
    public static boolean verify(String password, String phc) {
        if (phc == null || password == null) {
            return false;
        }
        String[] parts = phc.split("\\$");
        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (parts.length != 6 || !parts[1].equals("argon2id") || !parts[2].equals("v=19")) {
            return false;
        }
        try {
            int m = -1;
            int t = -1;
            int p = -1;
            for (String kv : parts[3].split(",")) {
                int eq = kv.indexOf('=');
                int v = Integer.parseInt(kv.substring(eq + 1));
                switch (kv.substring(0, eq)) {
                    case "m" -> m = v;
                    case "t" -> t = v;
                    case "p" -> p = v;
                    default -> { return false; }
                }
            }
            byte[] salt = B64D.decode(parts[4]);
            byte[] expected = B64D.decode(parts[5]);
            byte[] actual = argon2(password, salt, new Cost(m, t, p), expected.length);
            return MessageDigest.isEqual(expected, actual);
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return false;
        }
    }

    /** Whether {@code phc} was made with another cost than this hasher's (then it is worth re-hashing at login). */
    public boolean outdated(String phc) {
        return phc == null || !phc.startsWith("$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations()
                + ",p=" + cost.parallelism() + "$");
    }

    private static byte[] argon2(String password, byte[] salt, Cost cost, int length) {
        var params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(cost.memoryKib())
                .withIterations(cost.iterations())
                .withParallelism(cost.parallelism())
                .withSalt(salt)
                .build();
        var generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[length];
        generator.generateBytes(password.getBytes(StandardCharsets.UTF_8), out);
        return out;
    }
}
