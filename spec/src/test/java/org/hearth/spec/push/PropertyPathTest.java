package org.hearth.spec.push;

import static org.hearth.spec.push.PushTestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class PropertyPathTest {

    @Test
    void splitsOnUnescapedDots() {
        assertEquals(List.of("content", "body"), PropertyPath.parse("content.body").names());
        assertEquals(List.of("type"), PropertyPath.parse("type").names());
        assertEquals(List.of("content", "m.relates_to", "rel_type"),
                PropertyPath.parse("content.m\\.relates_to.rel_type").names());
    }

    @Test
    void escapedBackslashIsOneBackslash() {
        // Spec example: a content property named m\foo is content.m\\foo.
        assertEquals(List.of("content", "m\\foo"), PropertyPath.parse("content.m\\\\foo").names());
        // m\\.foo: an escaped backslash, then a separator.
        assertEquals(List.of("m\\", "foo"), PropertyPath.parse("m\\\\.foo").names());
    }

    @Test
    void otherEscapesAreLeftAsIs() {
        assertEquals(List.of("content", "\\x"), PropertyPath.parse("content.\\x").names());
        assertEquals(List.of("a\\"), PropertyPath.parse("a\\").names());
    }

    @Test
    void emptySegmentsAreEmptyNames() {
        assertEquals(List.of("a", "", "b"), PropertyPath.parse("a..b").names());
        assertEquals(List.of("", ""), PropertyPath.parse(".").names());
    }

    @Test
    void findsValuesAndStopsAtNonObjects() {
        JsonObject e = event("{'content':{'m.relates_to':{'rel_type':'m.replace'},'m\\\\foo':1,"
                + "'m':{'relates_to':'nested'},'list':[{'a':1}],'nul':null}}");
        assertEquals(Optional.of(Json.string("m.replace")),
                PropertyPath.parse("content.m\\.relates_to.rel_type").find(e));
        assertEquals(Optional.of(Json.string("nested")), PropertyPath.parse("content.m.relates_to").find(e));
        assertEquals(Optional.of(Json.number(1)), PropertyPath.parse("content.m\\\\foo").find(e));
        assertTrue(PropertyPath.parse("content.list.0.a").find(e).isEmpty(), "arrays are not indexed");
        assertTrue(PropertyPath.parse("content.missing").find(e).isEmpty());
        assertTrue(PropertyPath.parse("content.nul.x").find(e).isEmpty());
        assertEquals(Optional.of(jakarta.json.JsonValue.NULL), PropertyPath.parse("content.nul").find(e));
    }

    @Test
    void keepsTheTextAsWritten() {
        assertEquals("content.\\x", PropertyPath.parse("content.\\x").text());
        assertEquals(PropertyPath.parse("a\\.b"), PropertyPath.parse("a\\.b"));
    }
}
