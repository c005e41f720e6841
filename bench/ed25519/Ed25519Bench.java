import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.signature.Ed25519PrivateKey;
import com.google.crypto.tink.signature.Ed25519PublicKey;
import com.google.crypto.tink.subtle.Ed25519Sign;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * Ed25519 signing of a ~500-byte message: Tink, the JDK's EdDSA, BouncyCastle's rfc8032, one thread, in thread CPU
 * time (the machine is shared, wall time is not the signer's). A stand-in for JMH, which the offline Maven
 * repository lacks. Run from the repository root:
 * {@code R=~/.m2/repository; java -cp $R/com/google/crypto/tink/tink/1.24.0/tink-1.24.0.jar:$R/org/bouncycastle/bcprov-jdk18on/1.87/bcprov-jdk18on-1.87.jar:$R/com/google/protobuf/protobuf-java/4.31.1/protobuf-java-4.31.1.jar bench/ed25519/Ed25519Bench.java}
 */
public class Ed25519Bench {
    interface Signer { byte[] sign(byte[] m) throws Exception; }

    public static void main(String[] args) throws Exception {
        byte[] seed = new byte[32];
        new Random(1).nextBytes(seed);
        byte[] msg = new byte[520];
        new Random(2).nextBytes(msg);

        byte[] pub = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed).getPublicKey();
        Ed25519PublicKey tinkPub = Ed25519PublicKey.create(Bytes.copyFrom(pub));
        PublicKeySign tink = Ed25519Sign.create(Ed25519PrivateKey.create(tinkPub,
                SecretBytes.copyFrom(seed, InsecureSecretKeyAccess.get())));

        PrivateKey jdkKey = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        Signature jdk = Signature.getInstance("Ed25519");

        byte[] bcPub = new byte[32];
        Ed25519.generatePublicKey(seed, 0, bcPub, 0);
        Ed25519.precompute();

        Signer t = tink::sign;
        Signer j = m -> { jdk.initSign(jdkKey); jdk.update(m); return jdk.sign(); };
        Signer b = m -> { byte[] s = new byte[64]; Ed25519.sign(seed, 0, bcPub, 0, m, 0, m.length, s, 0); return s; };

        byte[] st = t.sign(msg), sj = j.sign(msg), sb = b.sign(msg);
        System.out.println("same signature tink/jdk: " + Arrays.equals(st, sj) + ", tink/bc: " + Arrays.equals(st, sb)
                + ", public key tink/bc: " + Arrays.equals(pub, bcPub));
        String[] names = {"tink", "jdk", "bc"};
        Signer[] all = {t, j, b};
        for (int round = 0; round < 8; round++) {
            for (int i = 0; i < all.length; i++) {
                int n = names[i].equals("jdk") ? 500 : 10000;
                var mx = java.lang.management.ManagementFactory.getThreadMXBean(); long start = mx.getCurrentThreadCpuTime();
                int sink = 0;
                for (int k = 0; k < n; k++) {
                    sink += all[i].sign(msg)[0];
                }
                long us = (mx.getCurrentThreadCpuTime() - start) / 1000;
                System.out.printf("round %d %-5s %8.1f us CPU per signature (sink %d)%n", round, names[i], (double) us / n, sink & 1);
            }
        }
    }
}
