package org.hearth.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBodyTest {
    private final JsonBody body = new JsonBody(64);

    private static ByteArrayInputStream in(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void objectIsRead() {
        assertEquals("b", body.parse(in("{\"a\":\"b\"}")).getString("a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\":}", "not json", "", "{\"a\":1,\"a\":2}", "{} {}"})
    void malformedIsNotJson(String text) {
        var e = assertThrows(MatrixException.class, () -> body.parse(in(text)));
        assertEquals(ErrorCode.NOT_JSON, e.code());
        assertEquals(400, e.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "\"a\"", "1", "null"})
    void nonObjectIsBadJson(String text) {
        assertEquals(ErrorCode.BAD_JSON, assertThrows(MatrixException.class, () -> body.parse(in(text))).code());
    }

    @Test
    void overTheLimitIsTooLargeEvenWithoutContentLength() {
        String big = "{\"a\":\"" + "x".repeat(64) + "\"}";
        var e = assertThrows(MatrixException.class, () -> body.parse(in(big)));
        assertEquals(ErrorCode.TOO_LARGE, e.code());
        assertEquals(413, e.status());
    }

    @Test
    void exactlyAtTheLimitIsRead() {
        String text = "{\"a\":\"" + "x".repeat(64 - 8) + "\"}";
        assertEquals(64, text.length());
        assertEquals(56, body.parse(in(text)).getString("a").length());
    }
}
