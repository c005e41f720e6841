package org.hearth.server.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.config.InvalidConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FederationKeystoreTest {
    @TempDir
    Path dir;

    @Test
    void generatedCertificateNamesTheHostAndMatchesTheKey() throws Exception {
        var tls = new HearthConfig.Tls(dir.resolve("tls/federation.p12"), "pw", "hearth-federation");
        var identity = FederationKeystore.loadOrCreate(tls, "localhost");
        X509Certificate cert = identity.chain().getFirst();
        cert.checkValidity();
        cert.verify(cert.getPublicKey()); // self-signed
        var names = cert.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString()).toList();
        assertTrue(names.containsAll(List.of("localhost", "127.0.0.1")), names.toString());

        Signature signature = Signature.getInstance("SHA256withECDSA");
        signature.initSign(identity.key());
        signature.update(new byte[] {1, 2, 3});
        byte[] signed = signature.sign();
        signature.initVerify(cert.getPublicKey());
        signature.update(new byte[] {1, 2, 3});
        assertTrue(signature.verify(signed), "private key belongs to the certificate");
    }

    @Test
    void wrongAliasIsRefusedWithTheAliasesPresent() {
        var tls = new HearthConfig.Tls(dir.resolve("federation.p12"), "pw", "hearth-federation");
        FederationKeystore.loadOrCreate(tls, "example.org");
        var wrong = new HearthConfig.Tls(tls.keystore(), "pw", "1");
        var e = assertThrows(InvalidConfigException.class, () -> FederationKeystore.load(wrong));
        assertTrue(e.getMessage().contains("hearth-federation"), e.getMessage());
    }

    @Test
    void wrongPasswordIsRefused() {
        var tls = new HearthConfig.Tls(dir.resolve("federation.p12"), "pw", "hearth-federation");
        FederationKeystore.loadOrCreate(tls, "example.org");
        assertThrows(InvalidConfigException.class,
                () -> FederationKeystore.load(new HearthConfig.Tls(tls.keystore(), "other", "hearth-federation")));
    }

    @Test
    void ipLiteralHostGetsAnIpSubjectAltName() throws Exception {
        var tls = new HearthConfig.Tls(dir.resolve("federation.p12"), "pw", "a");
        X509Certificate cert = FederationKeystore.loadOrCreate(tls, "10.1.2.3").chain().getFirst();
        var san = cert.getSubjectAlternativeNames().iterator().next();
        assertEquals(7, san.get(0)); // iPAddress
        assertEquals("10.1.2.3", san.get(1));
    }
}
