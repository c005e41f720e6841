package org.hearth.bridge.irc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MatrixIdsTest {
    @Test
    void escapedNicksReadBack() {
        for (String nick : java.util.List.of("carol", "some_nick", "[x]|y^", "caf\u00e9", "a-b.c/d")) {
            assertEquals(java.util.Optional.of(nick), MatrixIds.unescapeNick(MatrixIds.escapeNick(nick)), nick);
        }
        for (String notOurs : java.util.List.of("", "a_b", "=zz", "=4", "UPPER", "=41", "a b")) {
            assertEquals(java.util.Optional.empty(), MatrixIds.unescapeNick(notOurs), notOurs);
        }
    }

    @Test
    void nicksBecomeValidLocalparts() {
        assertEquals("carol", MatrixIds.escapeNick("Carol"));
        assertEquals("some__nick", MatrixIds.escapeNick("Some_Nick"));
        assertEquals("=5bx=5d=7cy=5e", MatrixIds.escapeNick("[x]|y^"));
        assertTrue(MatrixIds.escapeNick("zoë`{}").matches("[a-z0-9._=/-]+"));
    }

    @Test
    void puppetNicksComeFromDisplayNames() {
        assertEquals("Bobby", MatrixIds.nickFor("Bobby", "@bob:x"));
        assertEquals("AnneMarie", MatrixIds.nickFor("Anne Marie!", "@anne:x"));
        assertEquals("m42", MatrixIds.nickFor("42", "@n:x"));
        assertEquals("fallback", MatrixIds.nickFor(" ", "@fallback:x"));
        assertEquals(16, MatrixIds.nickFor("a".repeat(40), "@a:x").length());
    }

    @Test
    void channelNames() {
        assertTrue(MatrixIds.validChannel("#hearth"));
        assertTrue(MatrixIds.validChannel("&local"));
        assertFalse(MatrixIds.validChannel("hearth"));
        assertFalse(MatrixIds.validChannel("#a b"));
        assertFalse(MatrixIds.validChannel("#a,b"));
        assertFalse(MatrixIds.validChannel(null));
    }
}
