package org.hearth.spec.profile;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.json.JsonValue;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class ProfileFieldsTest {
    @Test
    void definedAndNamespacedKeysAreAccepted() {
        for (String key : new String[] {"displayname", "avatar_url", "m.tz", "org.example.job_title", "m.example_field", "a.b"}) {
            assertDoesNotThrow(() -> ProfileFields.checkKey(key), key);
        }
    }

    @Test
    void keysOutsideTheGrammarAreInvalid() {
        for (String key : new String[] {"foo", "Org.example", "org..example", "org.example.", "1a.b", "org.ex-ample", ""}) {
            var e = assertThrows(MatrixException.class, () -> ProfileFields.checkKey(key), key);
            assertEquals(ErrorCode.INVALID_PARAM, e.code(), key);
        }
    }

    @Test
    void keysOver255BytesAreTooLarge() {
        String ok = "a." + "b".repeat(253);
        assertDoesNotThrow(() -> ProfileFields.checkKey(ok));
        var e = assertThrows(MatrixException.class, () -> ProfileFields.checkKey(ok + "c"));
        assertEquals(ErrorCode.KEY_TOO_LARGE, e.code());
    }

    @Test
    void definedKeysHaveTypedValues() {
        assertEquals(ErrorCode.BAD_JSON, assertThrows(MatrixException.class,
                () -> ProfileFields.checkValue("displayname", Json.number(3))).code());
        assertEquals(ErrorCode.BAD_JSON, assertThrows(MatrixException.class,
                () -> ProfileFields.checkValue("m.tz", JsonValue.NULL)).code());
        assertEquals(ErrorCode.INVALID_PARAM, assertThrows(MatrixException.class,
                () -> ProfileFields.checkValue("avatar_url", Json.string("https://example.org/a.png"))).code());
        assertDoesNotThrow(() -> ProfileFields.checkValue("avatar_url", Json.string("mxc://example.org/a")));
        assertDoesNotThrow(() -> ProfileFields.checkValue("displayname", JsonValue.NULL));
        assertDoesNotThrow(() -> ProfileFields.checkValue("org.example.list", Json.arrayBuilder().add(1).build()));
    }

    @Test
    void theWholeProfileMustBeUnder64KiB() {
        // {"k":"…"} is 8 bytes of framing around the value.
        var under = Json.objectBuilder().add("k", "x".repeat(ProfileFields.MAX_PROFILE_BYTES - 9)).build();
        assertDoesNotThrow(() -> ProfileFields.checkSize(under));
        var at = Json.objectBuilder().add("k", "x".repeat(ProfileFields.MAX_PROFILE_BYTES - 8)).build();
        assertEquals(ErrorCode.PROFILE_TOO_LARGE, assertThrows(MatrixException.class, () -> ProfileFields.checkSize(at)).code());
    }
}
