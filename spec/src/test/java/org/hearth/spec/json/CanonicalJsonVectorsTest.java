package org.hearth.spec.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.hearth.spec.Vectors;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** vectors/canonical_json.json: every case and every invalid input. */
class CanonicalJsonVectorsTest {

    // The one case whose spec value Hearth does not follow: the vectors README, "Hearth's decision on numbers".
    private static final String SPEC_EXAMPLE_WITH_EXPONENT = "spec_appendix_example_10";

    @TestFactory
    Stream<DynamicTest> encodesEveryCaseToTheExpectedBytes() {
        return Vectors.cases("canonical_json.json", "cases").stream()
                .filter(c -> !c.getString("name").equals(SPEC_EXAMPLE_WITH_EXPONENT))
                .map(c -> dynamicTest(c.getString("name"), () -> {
                    byte[] actual = CanonicalJson.encodeBytes(Json.parse(c.getString("input_json")));
                    assertArrayEquals(Vectors.hex(c.getString("expected_utf8_hex")), actual,
                            () -> "got " + new String(actual, StandardCharsets.UTF_8));
                    assertEquals(c.getString("expected"), CanonicalJson.encode(Json.parse(c.getString("input_json"))));
                }));
    }

    @TestFactory
    Stream<DynamicTest> refusesEveryInvalidInput() {
        return Vectors.cases("canonical_json.json", "invalid").stream()
                .map(c -> dynamicTest(c.getString("name"), () -> {
                    MatrixException e = assertThrows(MatrixException.class,
                            () -> CanonicalJson.encode(Json.parse(c.getString("input_json"))));
                    assertTrue(e.code() == ErrorCode.BAD_JSON || e.code() == ErrorCode.NOT_JSON, e::getMessage);
                }));
    }

    @TestFactory
    Stream<DynamicTest> specExample10IsTheDocumentedExceptionAndIsRefusedAsAFloat() {
        JsonObject example = Vectors.cases("canonical_json.json", "cases").stream()
                .filter(c -> c.getString("name").equals(SPEC_EXAMPLE_WITH_EXPONENT)).findFirst().orElseThrow();
        return Stream.of(dynamicTest(SPEC_EXAMPLE_WITH_EXPONENT, () -> {
            assertEquals(false, example.getBoolean("reference_agrees"));
            MatrixException e = assertThrows(MatrixException.class,
                    () -> CanonicalJson.encode(Json.parse(example.getString("input_json"))));
            assertEquals(ErrorCode.BAD_JSON, e.code());
        }));
    }
}
