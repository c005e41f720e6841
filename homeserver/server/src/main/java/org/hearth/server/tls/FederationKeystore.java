package org.hearth.server.tls;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.hearth.server.PrivateFiles;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.config.InvalidConfigException;

/**
 * The federation listener's key and certificate: a PKCS12 keystore, generated self-signed when missing.
 * Loaded here by explicit alias rather than through Helidon's keystore config, whose alias defaults to "1" and
 * fails silently when wrong (STACK.md).
 */
public final class FederationKeystore {
    private static final Duration VALIDITY = Duration.ofDays(3650);

    /** The key and the chain the listener presents. */
    public record Identity(PrivateKey key, List<X509Certificate> chain) {}

    private FederationKeystore() {}

    /** Loads the keystore of {@code tls}, writing a self-signed one for {@code host} first when the file is missing. */
    public static Identity loadOrCreate(HearthConfig.Tls tls, String host) {
        if (!Files.exists(tls.keystore())) {
            PrivateFiles.write(tls.keystore(), selfSigned(host, tls.alias(), tls.keystorePassword().toCharArray()));
        }
        return load(tls);
    }

    public static Identity load(HearthConfig.Tls tls) {
        char[] password = tls.keystorePassword().toCharArray();
        try (InputStream in = Files.newInputStream(tls.keystore())) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            if (!store.isKeyEntry(tls.alias())) {
                throw new InvalidConfigException("tls.alias '" + tls.alias() + "' is not a key entry in " + tls.keystore()
                        + " (entries: " + String.join(", ", Collections.list(store.aliases())) + ")");
            }
            PrivateKey key = (PrivateKey) store.getKey(tls.alias(), password);
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : store.getCertificateChain(tls.alias())) {
                chain.add((X509Certificate) c);
            }
            return new Identity(key, List.copyOf(chain));
        } catch (IOException e) {
            // PKCS12 reports a wrong password as an IOException caused by UnrecoverableKeyException.
            throw new InvalidConfigException("cannot open TLS keystore " + tls.keystore() + ": " + e.getMessage()
                    + " (wrong tls.keystore_password?)", e);
        } catch (GeneralSecurityException e) {
            throw new InvalidConfigException("cannot read TLS keystore " + tls.keystore() + ": " + e.getMessage(), e);
        }
    }

    static byte[] selfSigned(String host, String alias, char[] password) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + host.replaceAll("[,=+<>#;\"\\\\]", "_"));
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()),
                    // Back-dated an hour: a peer whose clock is slightly behind still accepts it.
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(VALIDITY)), subject, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(subjectAltNames(host)));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));

            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(alias, pair.getPrivate(), password, new Certificate[] {certificate});
            var out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot create a self-signed certificate for " + host, e);
        }
    }

    private static GeneralName[] subjectAltNames(String host) {
        List<GeneralName> names = new ArrayList<>();
        boolean ipLiteral = host.matches("[0-9.]+") || host.contains(":");
        names.add(new GeneralName(ipLiteral ? GeneralName.iPAddress : GeneralName.dNSName, host));
        if (host.equals("localhost")) {
            names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
            names.add(new GeneralName(GeneralName.iPAddress, "::1"));
        }
        return names.toArray(GeneralName[]::new);
    }
}
