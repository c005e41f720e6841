package org.hearth.spec.push;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {

    @Test
    void specExampleForEventMatch() {
        Glob g = Glob.of("lunc?*");
        assertTrue(g.matchesWhole("Lunch plans"));
        assertTrue(g.matchesWhole("LUNCH"));
        assertFalse(g.matchesWhole(" lunch"));
        assertFalse(g.matchesWhole("lunc"));
    }

    @Test
    void starMatchesZeroOrMoreAndQuestionMarkExactlyOne() {
        assertTrue(Glob.of("*").matchesWhole(""));
        assertTrue(Glob.of("a*b").matchesWhole("ab"));
        assertTrue(Glob.of("a*b").matchesWhole("a\nb"));
        assertFalse(Glob.of("a?b").matchesWhole("ab"));
        assertTrue(Glob.of("a?b").matchesWhole("a\nb"));
        assertTrue(Glob.of("a?b").matchesWhole("a😀b"), "? is one character, even outside the BMP");
        assertFalse(Glob.of("").matchesWhole("x"));
        assertTrue(Glob.of("").matchesWhole(""));
    }

    @Test
    void wholeValueMeansNoPartialMatch() {
        assertFalse(Glob.of("m.room").matchesWhole("m.room.message"));
        assertFalse(Glob.of("room.message").matchesWhole("m.room.message"));
        assertTrue(Glob.of("m.room.*").matchesWhole("m.room.message"));
    }

    @Test
    void regexMetacharactersAreLiteral() {
        assertFalse(Glob.of("m.room").matchesWhole("mxroom"), ". is a dot, not any character");
        assertTrue(Glob.of("a+b").matchesWhole("a+b"));
        assertFalse(Glob.of("a+b").matchesWhole("aab"));
        assertTrue(Glob.of("[abc]").matchesWhole("[abc]"));
        assertFalse(Glob.of("[abc]").matchesWhole("a"), "brackets are not a class: the spec defines only * and ?");
        assertTrue(Glob.of("\\E.*\\Q").matchesWhole("\\E.x\\Q"));
        assertFalse(Glob.of("\\E.*\\Q").matchesWhole("\\Ex\\Q"));
        assertTrue(Glob.of("(a|b)^$").matchesWhole("(A|B)^$"));
        assertTrue(Glob.of("\\d").matchesWhole("\\d"));
        assertFalse(Glob.of("\\d").matchesWhole("1"));
    }

    @Test
    void caseInsensitiveBeyondAscii() {
        assertTrue(Glob.of("ÉCOLE").matchesWhole("école"));
        assertTrue(Glob.of("ΣΟΦΙΑ").matchesWhole("σοφια"));
    }

    @Test
    void wordsMatchSubstringsBetweenBoundaries() {
        Glob g = Glob.of("ex*ple");
        assertTrue(g.matchesWords("An example event."));
        assertTrue(g.matchesWords("exple"));
        assertTrue(g.matchesWords("An exciting triple-whammy"));
        assertFalse(g.matchesWords("Anexample event"));
        assertFalse(g.matchesWords("An examples event"));
        assertFalse(Glob.of("cake").matchesWords("cakes"));
        assertTrue(Glob.of("cake").matchesWords("cake!"));
        assertTrue(Glob.of("CAKE").matchesWords("I like cake"));
    }

    @Test
    void wordBoundariesAreExactlyTheSpecsCharacterSet() {
        Glob g = Glob.of("bob");
        assertFalse(g.matchesWords("bob_"), "_ is a word character");
        assertFalse(g.matchesWords("2bob"), "digits are word characters");
        assertTrue(g.matchesWords("ébobé"), "non-ASCII letters are not in [A-Za-z0-9_]: they are boundaries");
        assertTrue(g.matchesWords("@bob:example.org"));
        assertTrue(g.matchesWords("line\nbob\n"));
    }

    @Test
    void patternsMayStartOrEndWithNonWordCharacters() {
        assertTrue(Glob.of("@room").matchesWords("hi @room!"));
        assertFalse(Glob.of("@room").matchesWords("hi @roomy"));
        assertFalse(Glob.of("@room").matchesWords("x@room"), "the substring must start where a boundary is");
    }

    @Test
    void literalGlobIgnoresWildcards() {
        assertTrue(Glob.literal("a*b").matchesWords("say a*b now"));
        assertFalse(Glob.literal("a*b").matchesWords("say axxb now"));
        assertFalse(Glob.literal("a?").matchesWords("ab"));
    }
}
