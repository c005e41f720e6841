package org.hearth.core.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ContentDispositionTest {
    @Test
    void fileNamesRoundTripThroughTheHeader() {
        for (String name : new String[] {"plain.png", "wide photo.png", "naïve \"quoted\"; x.txt", "日本.gif"}) {
            assertEquals(name, ContentDisposition.fileName(ContentDisposition.of("inline", name)), name);
        }
    }

    @Test
    void theEncodedNameWinsAndQuotedNamesAreUnquoted() {
        assertEquals("é.txt", ContentDisposition.fileName("attachment; filename=\"e.txt\"; filename*=UTF-8''%C3%A9.txt"));
        assertEquals("a b.txt", ContentDisposition.fileName("attachment; filename=\"a b.txt\""));
        assertNull(ContentDisposition.fileName("attachment"));
        assertNull(ContentDisposition.fileName(null));
        // A broken escape is ignored, not guessed at.
        assertNull(ContentDisposition.fileName("attachment; filename*=utf-8''%zz"));
    }

    @Test
    void onlySafeTypesAreInline() {
        assertEquals("inline; filename=a.png", ContentDisposition.forType("image/png", "a.png"));
        assertEquals("attachment", ContentDisposition.forType("text/html; charset=utf-8", null));
        assertEquals("attachment", ContentDisposition.forType("image/svg+xml", null));
    }
}
