package org.hearth.plugin.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PermissionsTest {
    @Test
    void globsMatchWholeLocalparts() {
        Permissions p = Permissions.parse("act-as:helper-*, act-as:ops");
        assertEquals(List.of("helper-*", "ops"), p.actAs());
        assertTrue(p.mayActAs("helper-1"));
        assertTrue(p.mayActAs("helper-"));
        assertTrue(p.mayActAs("ops"));
        assertFalse(p.mayActAs("ops2"));
        assertFalse(p.mayActAs("xhelper-1"));
        assertFalse(p.mayActAs("alice"));
    }

    @Test
    void aStarAloneIsEveryoneAndRegexCharactersAreLiteral() {
        assertTrue(Permissions.parse("act-as:*").mayActAs("anyone.at_all"));
        Permissions dotted = Permissions.parse("act-as:a.b");
        assertTrue(dotted.mayActAs("a.b"));
        assertFalse(dotted.mayActAs("axb"));
        assertTrue(Permissions.parse("act-as:*-bot").mayActAs("x-bot"));
        assertFalse(Permissions.parse("act-as:*-bot").mayActAs("x-bots"));
    }

    @Test
    void emptyDeclaresNothingAndUnknownPermissionsAreRefused() {
        assertFalse(Permissions.parse("").mayActAs("alice"));
        var e = assertThrows(IllegalArgumentException.class, () -> Permissions.parse("act-as:*, read-everything"));
        assertTrue(e.getMessage().contains("read-everything"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Permissions.parse("act-as:"));
        assertThrows(IllegalArgumentException.class, () -> Permissions.parse("act-as:Upper"));
    }
}
