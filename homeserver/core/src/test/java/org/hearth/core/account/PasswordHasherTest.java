package org.hearth.core.account;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PasswordHasherTest {
    private final PasswordHasher cheap = new PasswordHasher(PasswordHasher.Cost.TEST);

    @Test
    void hashIsAPhcArgon2idString() {
        String phc = new PasswordHasher(PasswordHasher.Cost.DEFAULT).hash("hunter2");
        assertTrue(phc.matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"), phc);
        assertTrue(PasswordHasher.verify("hunter2", phc));
    }

    @Test
    void wrongPasswordDoesNotVerify() {
        String phc = cheap.hash("hunter2");
        assertFalse(PasswordHasher.verify("hunter3", phc));
        assertFalse(PasswordHasher.verify("", phc));
    }

    @Test
    void saltMakesEveryHashDifferent() {
        assertNotEquals(cheap.hash("same"), cheap.hash("same"));
    }

    @Test
    void verificationUsesTheStoredCostNotTheConfiguredOne() {
        String phc = cheap.hash("pw");
        assertTrue(PasswordHasher.verify("pw", phc));
        assertTrue(new PasswordHasher(PasswordHasher.Cost.DEFAULT).outdated(phc));
        assertFalse(cheap.outdated(phc));
    }

    @Test
    void unicodePasswordsAreHashedAsUtf8() {
        String phc = cheap.hash("pässwörd🔑");
        assertTrue(PasswordHasher.verify("pässwörd🔑", phc));
        assertFalse(PasswordHasher.verify("passwort", phc));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "$argon2id$v=16$m=64,t=1,p=1$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=x,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"})
    void malformedStoredHashesNeverVerify(String stored) {
        assertFalse(PasswordHasher.verify("pw", stored));
    }

    @Test
    void nullHashMeansNoPassword() {
        assertFalse(PasswordHasher.verify("pw", null));
    }

    @Test
    void costNames() {
        assertTrue(PasswordHasher.Cost.named("default") == PasswordHasher.Cost.DEFAULT);
        assertThrows(IllegalArgumentException.class, () -> PasswordHasher.Cost.named("fast"));
    }
}
