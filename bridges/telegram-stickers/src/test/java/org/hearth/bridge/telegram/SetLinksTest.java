package org.hearth.bridge.telegram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SetLinksTest {
    @Test
    void linksAndNames() {
        for (String link : new String[] {"https://t.me/addstickers/Hearth_Cats", "t.me/addstickers/Hearth_Cats",
                "http://telegram.me/addstickers/Hearth_Cats/", "https://t.me/addemoji/Hearth_Cats",
                "tg://addstickers?set=Hearth_Cats", "  Hearth_Cats ", "https://t.me/addstickers/Hearth_Cats?x=1"}) {
            assertEquals(Optional.of("Hearth_Cats"), SetLinks.parse(link), link);
        }
        for (String bad : new String[] {"", "hello world", "https://example.org/addstickers/x", "t.me/joinchat/abc",
                "1abc", "https://t.me/addstickers/", "a".repeat(65)}) {
            assertEquals(Optional.empty(), SetLinks.parse(bad), bad);
        }
    }

    @Test
    void shortcodesAreValidUniqueAndWithinTheGrammar() {
        Set<String> taken = new HashSet<>(Set.of("cats_2"));
        assertEquals("cats_1", StickerImporter.freshShortcode("cats", 1, taken));
        assertEquals("cats_2_2", StickerImporter.freshShortcode("cats", 2, taken));
        String longName = StickerImporter.freshShortcode("x".repeat(64) + "é" + "y".repeat(60), 120, taken);
        assertTrue(StickerImporter.SHORTCODE.matcher(longName).matches(), longName);
        assertTrue(longName.length() <= 100);
    }
}
