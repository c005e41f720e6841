package org.hearth.spec.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.OptionalInt;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.junit.jupiter.api.Test;

/** Written from the spec's appendices, "Identifier Grammar". */
class IdentifiersTest {

    @Test
    void serverNamesFromTheSpecExamplesAreValid() {
        for (String name : new String[] {"matrix.org", "matrix.org:8888", "1.2.3.4", "1.2.3.4:1234",
                "[1234:5678::abcd]", "[1234:5678::abcd]:5678", "localhost", "MATRIX.ORG", "a-b.c"}) {
            assertTrue(ServerName.isValid(name), name);
        }
    }

    @Test
    void serverNamesOutsideTheGrammarAreInvalid() {
        for (String name : new String[] {"", ":8448", "matrix.org:", "matrix.org:123456", "matrix.org:80a",
                "under_score.org", "ex ample.org", "[1234:5678::abcd", "[::1]x", "[]", "[12345]", "[::g]",
                "256.1.1.1", "1.2.3.4:99999a", "é.org", "a".repeat(256)}) {
            assertFalse(ServerName.isValid(name), name);
        }
        var e = assertThrows(MatrixException.class, () -> ServerName.parse("bad_name"));
        assertEquals(ErrorCode.INVALID_PARAM, e.code());
    }

    @Test
    void ipv6LiteralsFollowRfc3513() {
        for (String name : new String[] {"[::1]", "[::]", "[1:2:3:4:5:6:7:8]", "[fe80::1:2]", "[::ffff:1.2.3.4]",
                "[1:2:3:4:5:6:1.2.3.4]", "[1::8]:8448", "[ABCD::]"}) {
            assertTrue(ServerName.isValid(name), name);
        }
        for (String name : new String[] {"[1:2]", "[1:2:3:4:5:6:7:8:9]", "[1::2::3]", "[12345::]", "[:1]", "[1:]",
                "[::1.2.3.256]", "[1.2.3.4]", "[1:2:3:4:5:6:7:8::]", "[:::]"}) {
            assertFalse(ServerName.isValid(name), name);
        }
    }

    @Test
    void serverNameSplitsHostAndPort() {
        assertEquals("[::1]", ServerName.parse("[::1]:8448").host());
        assertEquals(OptionalInt.of(8448), ServerName.parse("[::1]:8448").port());
        assertEquals("example.org", ServerName.parse("example.org").host());
        assertEquals(OptionalInt.empty(), ServerName.parse("example.org").port());
    }

    @Test
    void userIdsSplitAtTheFirstColon() {
        UserId id = UserId.parse("@alice:example.org:8448");
        assertEquals("alice", id.localpart());
        assertEquals("example.org:8448", id.domain());
        assertEquals(OptionalInt.of(8448), id.serverName().port());
    }

    @Test
    void historicalUserIdsAreAcceptedButNotCompliant() {
        // "Historical User IDs": any non-surrogate code point except ':' and NUL, even the empty string.
        for (String value : new String[] {"@:example.org", "@a b\u0001é:example.org",
                "@\uD83D\uDE00:example.org"}) {
            UserId id = UserId.parse(value);
            assertFalse(id.isCompliant(), value);
        }
        assertTrue(UserId.parse("@a.b_c=d-e/f+g:example.org").isCompliant());
        // Outside the current grammar but within U+0021-U+007E: historical, yet not "non-compliant".
        assertTrue(UserId.parse("@ALICE!:example.org").isCompliant());
    }

    @Test
    void malformedUserIdsAreRefused() {
        for (String value : new String[] {"alice:example.org", "@alice", "@alice:", "@alice:bad_host",
                "@a\u0000b:example.org", "@\uD800:example.org", "#alice:example.org"}) {
            assertTrue(UserId.tryParse(value).isEmpty(), value);
            assertThrows(MatrixException.class, () -> UserId.parse(value), value);
        }
    }

    @Test
    void userIdsAreLimitedTo255BytesNotChars() {
        String server = ":example.org";
        String fits = "@" + "a".repeat(255 - 1 - server.length()) + server;
        assertEquals(255, fits.length());
        assertTrue(UserId.tryParse(fits).isPresent());
        assertTrue(UserId.tryParse("@a" + fits.substring(1)).isEmpty());
        // é is two bytes in UTF-8: 1 + 242 + 12 = 255 bytes fit, 257 do not.
        assertTrue(UserId.tryParse("@" + "é".repeat(121) + server).isPresent());
        assertTrue(UserId.tryParse("@" + "é".repeat(122) + server).isEmpty());
    }

    @Test
    void newUsersNeedTheCurrentGrammar() {
        assertTrue(UserId.isValidLocalpartForNewUser("alice.bob_1=2-3/4+5"));
        for (String local : new String[] {"", "Alice", "al ice", "al:ice", "é", "a!", "a*"}) {
            assertFalse(UserId.isValidLocalpartForNewUser(local), local);
        }
        assertEquals("@bob:hs.example", UserId.of("bob", ServerName.parse("hs.example")).value());
        assertThrows(MatrixException.class, () -> UserId.of("a".repeat(250), ServerName.parse("hs.example")));
    }

    @Test
    void roomIdsHaveAServerBeforeVersion12AndAHashFrom12() {
        assertEquals(Optional.of(ServerName.parse("example.org")), RoomId.parse("!abc:example.org").serverName());
        assertEquals(Optional.empty(), RoomId.parse("!31hneApxJ_1o-63DmFrpeqnkFfWppnzWso1JvH3ogLM").serverName());
        for (String value : new String[] {"!", "!abc:", "!abc:bad_host", "$abc:example.org", "!a\u0000:example.org",
                "!" + "a".repeat(255)}) {
            assertTrue(RoomId.tryParse(value).isEmpty(), value);
        }
    }

    @Test
    void roomAliasesAllowAnyLocalpartExceptColonAndNul() {
        RoomAlias alias = RoomAlias.parse("#Room Ä 1:example.org");
        assertEquals("Room Ä 1", alias.localpart());
        assertEquals("example.org", alias.serverName().value());
        for (String value : new String[] {"#room", "room:example.org", "#a\u0000:example.org", "#room:bad_host",
                "#" + "a".repeat(243) + ":example.org"}) {
            assertTrue(RoomAlias.tryParse(value).isEmpty(), value);
        }
    }

    @Test
    void eventIdsAreOpaqueWithinTheLimits() {
        assertEquals(Optional.of("example.org"), EventId.parse("$abc:example.org").domain());
        assertEquals(Optional.empty(), EventId.parse("$acR1l0raoZnm60CBwAVgqbZqoO/mYU81xysh1u7XcJk").domain());
        assertTrue(EventId.tryParse("$a-b_c+d/e").isPresent());
        for (String value : new String[] {"", "$", "abc", "!abc", "$a\u0000", "$" + "a".repeat(255)}) {
            assertTrue(EventId.tryParse(value).isEmpty(), value);
        }
    }
}
