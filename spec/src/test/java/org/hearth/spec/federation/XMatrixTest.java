package org.hearth.spec.federation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.Optional;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class XMatrixTest {
    private static final SigningKey KEY = new SigningKey("ed25519:1", new byte[32]);

    @Test
    void parsesTheSpecsExample() {
        XMatrix x = XMatrix.parse("X-Matrix origin=\"origin.hs.example.com\",destination=\"destination.hs.example.com\","
                + "key=\"ed25519:key1\",sig=\"ABCDEF...\"").orElseThrow();
        assertEquals(new XMatrix("origin.hs.example.com", "destination.hs.example.com", "ed25519:key1", "ABCDEF..."), x);
    }

    @Test
    void acceptsTheSpellingsRfc9110Allows() {
        // Several spaces after the scheme, case-insensitive names and scheme, spaces and tabs around commas,
        // unquoted values with colons, escapes in quoted values, unknown parameters, any order.
        XMatrix x = XMatrix.parse("x-matrix   SIG=\"a\\\"b\" ,\tOrigin=example.org:8448 , key=ed25519:k, extra=\"z\"")
                .orElseThrow();
        assertEquals("example.org:8448", x.origin());
        assertEquals("ed25519:k", x.key());
        assertEquals("a\"b", x.sig());
        assertNull(x.destination());
    }

    @Test
    void refusesOtherSchemesAndIncompleteHeaders() {
        assertEquals(Optional.empty(), XMatrix.parse(null));
        assertEquals(Optional.empty(), XMatrix.parse("Bearer abc"));
        assertEquals(Optional.empty(), XMatrix.parse("X-Matrix"));
        assertEquals(Optional.empty(), XMatrix.parse("X-Matrix origin=a,key=ed25519:k"));
        assertEquals(Optional.empty(), XMatrix.parse("X-Matrix origin=\"a,key=ed25519:k,sig=s"));
        assertEquals(Optional.empty(), XMatrix.parse("X-Matrix origin=a key=ed25519:k,sig=s"));
        assertEquals(Optional.empty(), XMatrix.parse("X-Matrix origin=,key=ed25519:k,sig=s"));
    }

    @Test
    void headerRoundTripsThroughParse() {
        XMatrix signed = XMatrix.sign("GET", "/_matrix/federation/v1/version", "a.example", "b.example", null, KEY);
        assertEquals(signed, XMatrix.parse(signed.headerValue()).orElseThrow());
        XMatrix noDestination = XMatrix.sign("GET", "/x", "a.example", null, null, KEY);
        assertFalse(noDestination.headerValue().contains("destination"));
        assertEquals(noDestination, XMatrix.parse(noDestination.headerValue()).orElseThrow());
    }

    @Test
    void signatureCoversMethodUriDestinationAndContent() {
        JsonObject body = Json.parseObject("{\"a\":1}");
        XMatrix x = XMatrix.sign("POST", "/p?q=1", "a.example", "b.example", body, KEY);
        byte[] pub = KEY.publicKey();
        assertTrue(x.verify("POST", "/p?q=1", body, pub));
        assertFalse(x.verify("PUT", "/p?q=1", body, pub));
        assertFalse(x.verify("POST", "/p?q=2", body, pub));
        assertFalse(x.verify("POST", "/p?q=1", Json.parseObject("{\"a\":2}"), pub));
        assertFalse(x.verify("POST", "/p?q=1", null, pub));
        assertFalse(new XMatrix("a.example", "c.example", x.key(), x.sig()).verify("POST", "/p?q=1", body, pub));
        assertFalse(new XMatrix("c.example", "b.example", x.key(), x.sig()).verify("POST", "/p?q=1", body, pub));
        assertFalse(x.verify("POST", "/p?q=1", body, SigningKey.generate("2").publicKey()));
        assertFalse(new XMatrix("a.example", "b.example", x.key(), "!!").verify("POST", "/p?q=1", body, pub));
    }

    @Test
    void signedJsonIsTheSpecsShape() {
        assertEquals(Json.parseObject("{\"method\":\"GET\",\"uri\":\"/x\",\"origin\":\"a\",\"destination\":\"b\"}"),
                XMatrix.signedJson("GET", "/x", "a", "b", null));
        assertEquals(Json.parseObject("{\"method\":\"PUT\",\"uri\":\"/x\",\"origin\":\"a\",\"content\":{}}"),
                XMatrix.signedJson("PUT", "/x", "a", null, JsonObject.EMPTY_JSON_OBJECT));
    }
}
