package org.hearth.spec.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonValue;
import java.nio.charset.StandardCharsets;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.room.RoomVersion;
import org.junit.jupiter.api.Test;

/** Edge cases from the spec's canonical JSON grammar (appendices, "Canonical JSON"). */
class CanonicalJsonTest {

    private static String canonical(String json) {
        return CanonicalJson.encode(Json.parse(json));
    }

    @Test
    void rejectsFloats() {
        var e = assertThrows(MatrixException.class, () -> canonical("{\"a\":1.5}"));
        assertEquals(ErrorCode.BAD_JSON, e.code());
        assertEquals(ErrorCode.BAD_JSON, assertThrows(MatrixException.class,
                () -> CanonicalJson.encode(jakarta.json.Json.createValue(2.0))).code());
    }

    @Test
    void integerLimitsAreInclusive() {
        assertEquals("[9007199254740991,-9007199254740991]", canonical("[9007199254740991,-9007199254740991]"));
        assertThrows(MatrixException.class, () -> canonical("[9007199254740992]"));
        assertThrows(MatrixException.class, () -> canonical("[-9007199254740992]"));
    }

    @Test
    void sortsKeysByCodePointNotUtf16Unit() {
        // U+1F600 is D83D DE00 in UTF-16, below U+FF21; by code point it is above.
        String json = "{\"\uD83D\uDE00\":1,\"\uFF21\":2,\"\uE000\":3,\"z\":4}";
        assertEquals("{\"z\":4,\"\uE000\":3,\"\uFF21\":2,\"\uD83D\uDE00\":1}", canonical(json));
        assertTrue(CanonicalJson.CODE_POINT_ORDER.compare("\uD83D\uDE00", "\uFF21") > 0);
        assertTrue("\uD83D\uDE00".compareTo("\uFF21") < 0, "String.compareTo differs, hence the comparator");
    }

    @Test
    void escapesOnlyWhatTheGrammarRequires() {
        assertEquals("\"\\u0000\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\u007f\u2028\u2029\uD83D\uDE00\"",
                canonical("\"\\u0000\\u001F\\b\\t\\n\\f\\r\\\"\\\\\\/\\u007f\\u2028\\u2029\\uD83D\\uDE00\""));
    }

    @Test
    void writesUtf8() {
        assertArrayEquals(new byte[] {'"', (byte) 0xC3, (byte) 0xA9, (byte) 0xF0, (byte) 0x9F, (byte) 0x98, (byte) 0x80, '"'},
                CanonicalJson.encodeBytes(Json.parse("\"\\u00e9\\ud83d\\ude00\"")));
    }

    @Test
    void negativeZeroBecomesZero() {
        assertEquals("{\"a\":0}", canonical("{\"a\":-0}"));
    }

    @Test
    void refusesLoneSurrogates() {
        assertThrows(MatrixException.class, () -> canonical("\"\\ud800x\""));
        assertThrows(MatrixException.class, () -> canonical("\"\\udc00\""));
    }

    @Test
    void lenientFormWritesFloatsAsPythonDoes() {
        String in = "[1.0, 1e3, 0.5, 1.5E2, 1e16, 1e15, 0.0001, 0.00001, -0.0, 1.25e-7, 123456789.125, 0.1]";
        assertEquals("[1.0,1000.0,0.5,150.0,1e+16,1000000000000000.0,0.0001,1e-05,-0.0,1.25e-07,123456789.125,0.1]",
                CanonicalJson.encodeLenient(Json.parse(in)));
    }

    @Test
    void lenientFormKeepsLargeIntegersExactly() {
        assertEquals("{\"a\":18446744073709551616,\"b\":0}",
                CanonicalJson.encodeLenient(Json.parse("{\"b\":-0,\"a\":18446744073709551616}")));
    }

    @Test
    void lenientFormRefusesNumbersBeyondADouble() {
        assertThrows(MatrixException.class, () -> CanonicalJson.encodeLenient(Json.parse("[1e999]")));
    }

    @Test
    void roomVersionPicksStrictness() {
        JsonValue floaty = Json.parse("{\"a\":0.5}");
        assertEquals("{\"a\":0.5}", new String(CanonicalJson.encodeBytes(floaty, RoomVersion.V5), StandardCharsets.UTF_8));
        assertThrows(MatrixException.class, () -> CanonicalJson.encodeBytes(floaty, RoomVersion.V6));
    }
}
