package org.hearth.bridge.irc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class IrcMessageTest {
    @Test
    void parsesPrefixCommandParamsAndTrailing() {
        IrcMessage m = IrcMessage.parse(":carol!c@host PRIVMSG #hearth :hello  there");
        assertEquals("carol", m.nick());
        assertEquals("PRIVMSG", m.command());
        assertEquals(List.of("#hearth", "hello  there"), m.params());
    }

    @Test
    void skipsTagsAndKeepsNumerics() {
        IrcMessage m = IrcMessage.parse("@time=2026-01-01T00:00:00Z :irc.test 353 me = #c :@op +voice plain");
        assertEquals("353", m.command());
        assertEquals("@op +voice plain", m.param(3));
        assertEquals("irc.test", m.nick());
    }

    @Test
    void emptyOrPrefixOnlyLinesAreNull() {
        assertNull(IrcMessage.parse(""));
        assertNull(IrcMessage.parse(":only-a-prefix"));
    }

    @Test
    void theLastParameterGetsAColonWhenItNeedsOneAndLineBreaksAreRemoved() {
        assertEquals("PRIVMSG #c :two words", IrcMessage.of("PRIVMSG", "#c", "two words").toLine());
        assertEquals("JOIN #c", IrcMessage.of("JOIN", "#c").toLine());
        assertEquals("PRIVMSG #c :a b", IrcMessage.of("PRIVMSG", "#c", "a\r\nb").toLine().replace("  ", " "));
        assertEquals("TOPIC #c :", IrcMessage.of("TOPIC", "#c", "").toLine());
    }

    @Test
    void invalidUtf8FallsBackToLatin1() {
        assertEquals("café", IrcMessage.decode("café".getBytes(StandardCharsets.UTF_8)));
        assertEquals("café", IrcMessage.decode("café".getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("\u00ff\u00fe", IrcMessage.decode(new byte[] {(byte) 0xff, (byte) 0xfe}));
    }
}
