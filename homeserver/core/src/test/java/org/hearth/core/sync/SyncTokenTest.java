package org.hearth.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SyncTokenTest {
    @Test
    void roundTripsThroughItsString() {
        var token = new SyncToken(12, 1_764_000_000_000L, 3, 4, 5, 0, 7);
        assertEquals("s12_1764000000000_3_4_5_0_7", token.toString());
        assertEquals(token, SyncToken.parse(token.toString()));
        assertEquals(SyncToken.ZERO, SyncToken.parse("s0_0_0_0_0_0_0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "x1_2_3_4_5_6_7", "s1_2_3_4_5_6", "s1_2_3_4_5_6_7_8", "s1_2_3_-4_5_6_7",
            "s1__3_4_5_6_7", "s1_2_3_4_5_6_7 ", "s99999999999999999999_0_0_0_0_0_0", "s1_2_3_4_5_6_a", "t1_2",
            "s１_2_3_4_5_6_7"})
    void anythingElseIsInvalidParam(String bad) {
        var e = assertThrows(MatrixException.class, () -> SyncToken.parse(bad));
        assertEquals(ErrorCode.INVALID_PARAM, e.code());
    }

    @Test
    void isBeforeWhenAnyStreamIsBehind() {
        var a = new SyncToken(1, 1, 1, 1, 1, 1, 1);
        assertFalse(a.isBefore(a));
        assertTrue(a.isBefore(new SyncToken(1, 1, 1, 1, 2, 1, 1)));
        assertTrue(a.isBefore(new SyncToken(1, 1, 1, 1, 1, 1, 2)));
        assertFalse(new SyncToken(2, 1, 1, 1, 1, 1, 1).isBefore(a));
    }
}
