package org.hearth.spec.e2ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonValue;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class KeyBackupDataTest {
    private static KeyBackupData key(boolean verified, long index, long forwarded) {
        return new KeyBackupData(index, forwarded, verified, JsonValue.EMPTY_JSON_OBJECT);
    }

    @Test
    void verifiedBeatsUnverifiedWhateverTheOtherFields() {
        assertTrue(key(true, 9, 9).replaces(key(false, 0, 0)));
        assertFalse(key(false, 0, 0).replaces(key(true, 9, 9)));
    }

    @Test
    void sameVerificationLowerFirstMessageIndexWins() {
        assertTrue(key(false, 1, 5).replaces(key(false, 2, 0)));
        assertFalse(key(false, 2, 0).replaces(key(false, 1, 5)));
        assertTrue(key(true, 1, 5).replaces(key(true, 2, 0)));
    }

    @Test
    void thenFewerForwardsWin() {
        assertTrue(key(false, 3, 0).replaces(key(false, 3, 1)));
        assertFalse(key(false, 3, 1).replaces(key(false, 3, 0)));
    }

    @Test
    void anEqualKeyKeepsTheStoredOne() {
        assertFalse(key(true, 3, 1).replaces(key(true, 3, 1)));
    }

    @Test
    void parseRequiresEveryFieldWithItsType() {
        var ok = Json.parseObject("{\"first_message_index\":1,\"forwarded_count\":0,\"is_verified\":true,\"session_data\":{\"a\":1}}");
        assertEquals(key(true, 1, 0).firstMessageIndex(), KeyBackupData.parse(ok).firstMessageIndex());
        assertEquals(ok, KeyBackupData.parse(ok).toJson());
        assertCode(ErrorCode.MISSING_PARAM, "{\"first_message_index\":1,\"forwarded_count\":0,\"session_data\":{}}");
        assertCode(ErrorCode.BAD_JSON, "{\"first_message_index\":1,\"forwarded_count\":0,\"is_verified\":\"yes\",\"session_data\":{}}");
        assertCode(ErrorCode.BAD_JSON, "{\"first_message_index\":1.5,\"forwarded_count\":0,\"is_verified\":true,\"session_data\":{}}");
        assertCode(ErrorCode.BAD_JSON, "{\"first_message_index\":-1,\"forwarded_count\":0,\"is_verified\":true,\"session_data\":{}}");
        assertCode(ErrorCode.BAD_JSON, "{\"first_message_index\":1,\"forwarded_count\":0,\"is_verified\":true,\"session_data\":\"x\"}");
    }

    private static void assertCode(ErrorCode code, String json) {
        var e = assertThrows(MatrixException.class, () -> KeyBackupData.parse(Json.parseObject(json)));
        assertEquals(code, e.code());
    }
}
