package org.hearth.spec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import java.math.BigInteger;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.junit.jupiter.api.Test;

class JsonTest {

    private static ErrorCode codeOf(Runnable r) {
        return assertThrows(MatrixException.class, r::run).code();
    }

    @Test
    void malformedTextIsNotJson() {
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("{")));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("")));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("{} {}")));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("{\"a\":1,}")));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("{'a':1}")));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("[NaN]")));
    }

    @Test
    void pathologicalInputIsNotJsonRatherThanACrash() {
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("[".repeat(5_000) + "]".repeat(5_000))));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("[" + "1".repeat(5_000) + "]")));
        Json.parse("[".repeat(500) + "]".repeat(500));
    }

    @Test
    void duplicateKeysAreNotJsonAtAnyDepth() {
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("{\"a\":1,\"a\":1}")));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse("[{\"x\":{\"k\":1,\"k\":2}}]")));
    }

    @Test
    void invalidUtf8IsNotJson() {
        byte[] bytes = {'"', (byte) 0xC3, '"'};
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parse(bytes)));
    }

    @Test
    void aNonObjectIsBadJsonWhereAnObjectIsNeeded() {
        assertEquals(ErrorCode.BAD_JSON, codeOf(() -> Json.parseObject("[]")));
        assertEquals(ErrorCode.NOT_JSON, codeOf(() -> Json.parseObject("[")));
    }

    @Test
    void integersStayExactAtAnySize() {
        JsonObject o = Json.parseObject("{\"big\": 123456789012345678901234567890, \"long\": 9007199254740993}");
        assertEquals(new BigInteger("123456789012345678901234567890"), o.getJsonNumber("big").bigIntegerValueExact());
        assertEquals(9007199254740993L, o.getJsonNumber("long").longValueExact());
        assertTrue(o.getJsonNumber("long").isIntegral());
    }

    @Test
    void aNumberWrittenAsAFloatIsNeverIntegral() {
        // "1.0e1" is the whole number 10; it is still written as a float (vectors: invalid[] float_*).
        for (String text : new String[] {"1.0", "1e3", "1.0e1", "5E0", "-0.0"}) {
            JsonNumber n = (JsonNumber) Json.parse(text);
            assertFalse(n.isIntegral(), text);
            assertEquals(text, n.toString());
        }
        assertEquals(Json.parse("10"), Json.parse("1.0e1"), "equal as values (JsonNumber contract)");
    }

    @Test
    void typedReadsNameTheProblem() {
        JsonObject o = Json.parseObject("{\"s\": \"x\", \"n\": 5, \"f\": 1.5, \"o\": {}, \"a\": []}");
        assertEquals("x", Json.requiredString(o, "s"));
        assertEquals(5, Json.requiredLong(o, "n"));
        assertEquals(ErrorCode.MISSING_PARAM, codeOf(() -> Json.requiredString(o, "missing")));
        assertEquals(ErrorCode.BAD_JSON, codeOf(() -> Json.requiredString(o, "n")));
        assertEquals(ErrorCode.BAD_JSON, codeOf(() -> Json.requiredLong(o, "f")));
        assertEquals(ErrorCode.BAD_JSON, codeOf(() -> Json.requiredObject(o, "a")));
        assertEquals(ErrorCode.BAD_JSON, codeOf(() -> Json.requiredArray(o, "o")));
        assertTrue(Json.optionalString(o, "missing").isEmpty());
    }
}
