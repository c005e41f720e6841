package org.hearth.core.account;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SharedSecretRegistrationTest {
    // Vectors computed independently with Python's hmac module, as register_new_matrix_user does.
    @Test
    void macOverNonceUserPasswordAndAdmin() {
        assertEquals("27d92c551df71fa52ac0fea32e01186c13165765",
                SharedSecretRegistration.mac("secret", "abcdef", "alice", "pw", true, null));
    }

    @Test
    void userTypeIsAppendedWhenGiven() {
        assertEquals("79cd43dfd6364738aba6ed55a5c6172ce961e291",
                SharedSecretRegistration.mac("secret", "abcdef", "bot", "pw", false, "bot"));
    }
}
