package org.hearth.bridge.irc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IrcConnectionTest {
    @Test
    void linesEndAtLfWithCrDroppedAndOverlongOnesAreCut() throws Exception {
        byte[] huge = ("PRIVMSG #c :" + "x".repeat(20_000) + "\r\nPING :a\r\n").getBytes(StandardCharsets.UTF_8);
        var in = new ByteArrayInputStream(huge);
        assertEquals(8192, IrcConnection.readLine(in).length);
        assertArrayEquals("PING :a".getBytes(StandardCharsets.UTF_8), IrcConnection.readLine(in));
        assertNull(IrcConnection.readLine(in));
    }

    @Test
    void aLastLineWithoutLfIsStillRead() throws Exception {
        var in = new ByteArrayInputStream(new byte[] {'A', (byte) 0xe9});
        assertEquals("A\u00e9", IrcMessage.decode(IrcConnection.readLine(in)));
    }

    @Test
    void anotherNickIsTriedWhenOneIsTakenOrTooLong() {
        assertEquals("bob_", IrcConnection.nextNick("bob"));
        assertEquals("averylon_", IrcConnection.nextNick("averylongnick"));
        assertEquals("AnneMari", IrcConnection.ircUser("Anne-Marie[m]").substring(0, 8));
    }
}
