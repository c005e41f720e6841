package org.hearth.core.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UsernamesTest {
    private static final ServerName SERVER = ServerName.parse("example.org");

    @ParameterizedTest
    @ValueSource(strings = {"alice", "a.b_c=d-e/f+g", "x1", "bob2"})
    void grammarCharactersAreAccepted(String name) {
        assertEquals("@" + name + ":example.org", Usernames.forRegistration(name, SERVER).value());
    }

    @Test
    void uppercaseIsLowered() {
        assertEquals("@alice:example.org", Usernames.forRegistration("ALice", SERVER).value());
    }

    @Test
    void aFullUserIdOfThisServerIsAccepted() {
        assertEquals("@alice:example.org", Usernames.forRegistration("@alice:example.org", SERVER).value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a:b", "é", "a@b", "a#b", "12345", "@alice:other.org"})
    void invalidNames(String name) {
        var e = assertThrows(MatrixException.class, () -> Usernames.forRegistration(name, SERVER));
        assertEquals(ErrorCode.INVALID_USERNAME, e.code());
    }

    @Test
    void idsOver255BytesAreInvalid() {
        var e = assertThrows(MatrixException.class, () -> Usernames.forRegistration("a".repeat(250), SERVER));
        assertEquals(ErrorCode.INVALID_USERNAME, e.code());
        Usernames.forRegistration("a".repeat(255 - ":example.org".length() - 1), SERVER);
    }

    @Test
    void underscorePrefixBelongsToApplicationServices() {
        var e = assertThrows(MatrixException.class, () -> Usernames.forRegistration("_irc_bot", SERVER));
        assertEquals(ErrorCode.EXCLUSIVE, e.code());
    }
}
