package org.hearth.spec.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.hearth.spec.Vectors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** vectors/signing.json: signing cases and verify cases. */
class SigningVectorsTest {

    @TestFactory
    Stream<DynamicTest> signsEveryCaseExactly() {
        return Vectors.cases("signing.json", "cases").stream().map(c -> dynamicTest(c.getString("name"), () -> {
            SigningKey key = new SigningKey(c.getString("key_id"), UnpaddedBase64.decode(c.getString("seed")));
            assertEquals(c.getString("verify_key"), key.publicKeyBase64());
            JsonObject input = c.getJsonObject("input");
            assertEquals(c.getString("expected_signing_bytes"),
                    new String(Signatures.signingBytes(input, true), StandardCharsets.UTF_8));
            JsonObject signed = Signatures.sign(input, c.getString("server_name"), key);
            assertEquals(Vectors.canonical(c.getJsonObject("expected_signed")), Vectors.canonical(signed));
            assertEquals(c.getString("expected_signature"), signed.getJsonObject("signatures")
                    .getJsonObject(c.getString("server_name")).getString(c.getString("key_id")));
            assertEquals(true, Signatures.verify(signed, c.getString("server_name"), c.getString("key_id"),
                    key.publicKey()));
        }));
    }

    @TestFactory
    Stream<DynamicTest> verifiesEveryCaseAsExpected() {
        return Vectors.cases("signing.json", "verify_cases").stream().map(c -> dynamicTest(c.getString("name"), () ->
                assertEquals(c.getBoolean("expected_verify"), Signatures.verify(c.getJsonObject("signed"),
                        c.getString("server_name"), c.getString("key_id"),
                        UnpaddedBase64.decode(c.getString("verify_key"))), c.getString("reason"))));
    }
}
