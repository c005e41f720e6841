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
    /** A body kept in a file: the content is found without reading it, up to the close delimiter. */
    @Test
    void theSecondPartOfAFileIsLocatedWithoutLoadingIt() throws Exception {
        String boundary = Multipart.newBoundary();
        byte[] content = new byte[300_000];
        new java.util.Random(7).nextBytes(content);
        content[content.length - 1] = '\r'; // a CR right before the delimiter's own CRLF
        var out = new ByteArrayOutputStream();
        out.writeBytes(Multipart.head(boundary, "{}", Map.of("Content-Type", "image/png")));
        int offset = out.size();
        out.writeBytes(content);
        out.writeBytes(Multipart.tail(boundary));
        java.nio.file.Path file = java.nio.file.Files.createTempFile("multipart", ".part");
        try {
            java.nio.file.Files.write(file, out.toByteArray());
            Multipart.FilePart part = Multipart.secondPart(file, boundary, 65_536).orElseThrow();
            assertEquals("image/png", part.header("content-type"));
            assertEquals(offset, part.offset());
            assertEquals(content.length, part.length());
            // Cut off before the close delimiter: not a complete body.
            java.nio.file.Files.write(file, java.util.Arrays.copyOf(out.toByteArray(), out.size() - 50));
            assertTrue(Multipart.secondPart(file, boundary, 65_536).isEmpty());
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

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
