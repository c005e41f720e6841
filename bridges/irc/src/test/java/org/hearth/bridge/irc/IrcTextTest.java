package org.hearth.bridge.irc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IrcTextTest {
    @Test
    void linesAreSplitOnNewlinesAndEmptyOnesDropped() {
        assertEquals(List.of("one", "two"), IrcText.split("one\n\r\ntwo\n", 100));
    }

    @Test
    void longLinesAreCutAtSpacesWithinTheByteLimit() {
        List<String> parts = IrcText.split("aaaa bbbb cccc dddd", 10);
        assertEquals(List.of("aaaa bbbb", "cccc dddd"), parts);
    }

    @Test
    void aCutNeverFallsInsideACharacter() {
        String text = "é".repeat(300) + "😀".repeat(100);
        List<String> parts = IrcText.split(text, 101);
        for (String p : parts) {
            assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= 101);
            assertTrue(!Character.isLowSurrogate(p.charAt(0)) && !Character.isHighSurrogate(p.charAt(p.length() - 1)));
        }
        assertEquals(text, String.join("", parts));
    }

    @Test
    void theRoomLeavesSpaceForTheServersPrefix() {
        int room = IrcText.room("relaybot", "PRIVMSG", "#hearth");
        String line = ":relaybot!" + "u".repeat(10) + "@" + "h".repeat(63) + " PRIVMSG #hearth :" + "x".repeat(room) + "\r\n";
        assertTrue(line.length() <= 512, line.length() + " bytes");
    }

    @Test
    void anOverlongLineIsCutTo510Bytes() {
        String line = IrcText.fitLine("PRIVMSG #c :" + "ü".repeat(400));
        assertTrue(line.getBytes(StandardCharsets.UTF_8).length <= 510);
        assertTrue(line.endsWith("ü"));
        assertThrows(IllegalArgumentException.class, () -> IrcText.split("x", 2));
    }
}
