package org.hearth.federation.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How outbound federation trusts other servers' certificates (spec: Server-Server API, "TLS"): the system's
 * trust store, plus the certificates of an optional PEM file (a private CA, or a peer's own certificate); or,
 * for test networks only, no checks at all ({@code federation.verify_tls: false}).
 */
public final class FederationTls {
    private final SSLContext context;
    private final boolean verify;

    private FederationTls(SSLContext context, boolean verify) {
        this.context = context;
        this.verify = verify;
    }

    public static FederationTls create(boolean verify, Optional<Path> extraTrustedCertificates) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            if (!verify) {
                context.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
                return new FederationTls(context, false);
            }
            List<X509TrustManager> managers = new ArrayList<>();
            managers.add(trustManager(null));
            if (extraTrustedCertificates.isPresent()) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                int i = 0;
                for (Certificate c : readPem(extraTrustedCertificates.get())) {
                    store.setCertificateEntry("extra-" + i++, c);
                }
                managers.add(trustManager(store));
            }
            context.init(null, new TrustManager[] {new AnyOf(managers)}, new SecureRandom());
            return new FederationTls(context, true);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot set up federation TLS: " + e.getMessage(), e);
        }
    }

    public SSLContext context() {
        return context;
    }

    /** Whether certificates and their names are checked. */
    public boolean verify() {
        return verify;
    }

    private static List<? extends Certificate> readPem(Path file) throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(file)) {
            var certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new CertificateException("no certificate in " + file);
            }
            return List.copyOf(certs);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager m : factory.getTrustManagers()) {
            if (m instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    /** Trusted when any of the managers trusts the chain. */
    private record AnyOf(List<X509TrustManager> managers) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("not used for client certificates");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            CertificateException last = null;
            for (X509TrustManager m : managers) {
                try {
                    m.checkServerTrusted(chain, authType);
                    return;
                } catch (CertificateException e) {
                    last = e;
                }
            }
            throw last;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return managers.stream().flatMap(m -> java.util.Arrays.stream(m.getAcceptedIssuers()))
                    .toArray(X509Certificate[]::new);
        }
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
