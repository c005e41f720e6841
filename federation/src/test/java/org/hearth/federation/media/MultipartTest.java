package org.hearth.federation.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MultipartTest {
    @Test
    void whatIsWrittenParsesBackWithBinaryContent() {
        String boundary = Multipart.newBoundary();
        byte[] content = new byte[256];
        for (int i = 0; i < content.length; i++) {
            content[i] = (byte) i; // CR, LF and dashes included
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "image/png");
        headers.put("Content-Disposition", "inline; filename=a.png");
        var out = new ByteArrayOutputStream();
        out.writeBytes(Multipart.head(boundary, "{}", headers));
        out.writeBytes(content);
        out.writeBytes(Multipart.tail(boundary));

        List<Multipart.Part> parts = Multipart.parse(out.toByteArray(), boundary).orElseThrow();
        assertEquals(2, parts.size());
        assertEquals("application/json", parts.get(0).header("content-type"));
        assertEquals("{}", new String(parts.get(0).content(), StandardCharsets.UTF_8));
        assertEquals("image/png", parts.get(1).header("content-type"));
        assertEquals("inline; filename=a.png", parts.get(1).header("content-disposition"));
        assertArrayEquals(content, parts.get(1).content());
    }

    @Test
    void synapseStyleLocationPartWithoutContent() {
        String body = "--abc\r\nContent-Type: application/json\r\n\r\n{}\r\n--abc\r\n"
                + "Location: https://cdn.example/x\r\n\r\n\r\n--abc--\r\n";
        List<Multipart.Part> parts = Multipart.parse(body.getBytes(StandardCharsets.US_ASCII), "abc").orElseThrow();
        assertEquals("https://cdn.example/x", parts.get(1).header("location"));
        assertEquals(0, parts.get(1).content().length);
    }

    @Test
    void boundaryComesFromTheContentTypeOfMultipartMixedOnly() {
        assertEquals("xyz", Multipart.boundary("multipart/mixed; boundary=xyz").orElseThrow());
        assertEquals("a b", Multipart.boundary("Multipart/Mixed; charset=x; boundary=\"a b\"").orElseThrow());
        assertTrue(Multipart.boundary("application/json").isEmpty());
        assertTrue(Multipart.boundary("multipart/mixed").isEmpty());
        assertTrue(Multipart.boundary(null).isEmpty());
    }

    @Test
    void malformedBodiesAreRefused() {
        assertTrue(Multipart.parse("no delimiters".getBytes(StandardCharsets.US_ASCII), "abc").isEmpty());
        assertTrue(Multipart.parse("--abc\r\nContent-Type: a\r\n\r\nnever closed".getBytes(StandardCharsets.US_ASCII),
                "abc").isEmpty());
        assertTrue(Multipart.parse("--abc\r\nnot a header\r\n\r\nx\r\n--abc--".getBytes(StandardCharsets.US_ASCII),
                "abc").isEmpty());
    }
}
