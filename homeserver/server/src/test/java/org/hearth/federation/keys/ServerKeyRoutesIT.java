package org.hearth.federation.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import org.hearth.server.TestServer;
import org.hearth.spec.crypto.Signatures;
import org.hearth.spec.crypto.UnpaddedBase64;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The federation listener, over TLS with the generated self-signed certificate. */
class ServerKeyRoutesIT {
    @RegisterExtension
    static final TestServer server = TestServer.withScratchDatabase();

    @Test
    void publishedKeyVerifiesTheAnswersOwnSignature() {
        var res = server.federation("GET", "/_matrix/key/v2/server");
        assertEquals(200, res.status(), res.body());
        JsonObject keys = res.json();
        assertEquals(server.serverName(), keys.getString("server_name"));
        JsonObject verifyKeys = keys.getJsonObject("verify_keys");
        assertEquals(1, verifyKeys.size());
        String keyId = verifyKeys.keySet().iterator().next();
        assertTrue(keyId.matches("ed25519:[a-zA-Z0-9_]+"), keyId);
        byte[] publicKey = UnpaddedBase64.decode(verifyKeys.getJsonObject(keyId).getString("key"));
        assertTrue(Signatures.verify(keys, server.serverName(), keyId, publicKey), "signature must verify");
        assertEquals(0, keys.getJsonObject("old_verify_keys").size());
    }

    @Test
    void tamperedAnswerNoLongerVerifies() {
        JsonObject keys = server.federation("GET", "/_matrix/key/v2/server").json();
        String keyId = keys.getJsonObject("verify_keys").keySet().iterator().next();
        byte[] publicKey = UnpaddedBase64.decode(keys.getJsonObject("verify_keys").getJsonObject(keyId).getString("key"));
        JsonObject tampered = Json.objectBuilder(keys).add("valid_until_ts", keys.getJsonNumber("valid_until_ts").longValue() + 1).build();
        assertFalse(Signatures.verify(tampered, server.serverName(), keyId, publicKey));
    }

    @Test
    void validUntilIsInTheFutureByAboutTheValidity() {
        long validUntil = server.federation("GET", "/_matrix/key/v2/server").json().getJsonNumber("valid_until_ts").longValue();
        long now = Instant.now().toEpochMilli();
        // Spec: answers should not expire within the hour.
        assertTrue(validUntil > now + Duration.ofHours(1).toMillis(), "valid_until_ts " + validUntil + " vs now " + now);
        assertTrue(validUntil <= now + ServerKeyRoutes.VALIDITY.toMillis() + 60_000);
    }

    @Test
    void keyIsTheOneInTheSigningKeyFile() throws Exception {
        String file = java.nio.file.Files.readString(server.dataDir().resolve(server.serverName() + ".signing.key"));
        var key = org.hearth.spec.crypto.SigningKeyFile.read(file).getFirst();
        JsonObject keys = server.federation("GET", "/_matrix/key/v2/server").json();
        assertEquals(key.publicKeyBase64(), keys.getJsonObject("verify_keys").getJsonObject(key.keyId()).getString("key"));
    }

    @Test
    void federationVersionNamesHearth() {
        var res = server.federation("GET", "/_matrix/federation/v1/version");
        assertEquals(200, res.status());
        assertEquals("Hearth", res.json().getJsonObject("server").getString("name"));
    }

    @Test
    void federationListenerSharesTheErrorModel() {
        server.federation("GET", "/_matrix/federation/v1/no_such_endpoint").assertError(404, "M_UNRECOGNIZED");
        server.federation("POST", "/_matrix/key/v2/server").assertError(405, "M_UNRECOGNIZED");
        // Client routes live on the other listener.
        server.federation("GET", "/_matrix/client/versions").assertError(404, "M_UNRECOGNIZED");
    }

    @Test
    void wellKnownServerIsAlsoOnTheFederationListener() {
        var res = server.federation("GET", "/.well-known/matrix/server");
        assertEquals(200, res.status());
        assertEquals(server.serverName(), res.json().getString("m.server"));
    }
}
