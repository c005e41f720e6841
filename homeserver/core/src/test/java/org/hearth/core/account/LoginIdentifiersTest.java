package org.hearth.core.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.Json;
import org.junit.jupiter.api.Test;

class LoginIdentifiersTest {
    private static final ServerName SERVER = ServerName.parse("example.org");

    @Test
    void localpartFullIdAndDeprecatedUser() {
        assertEquals("@alice:example.org", LoginIdentifiers.user(Json.parseObject(
                "{\"identifier\":{\"type\":\"m.id.user\",\"user\":\"Alice\"}}"), SERVER).value());
        assertEquals("@alice:example.org", LoginIdentifiers.user(Json.parseObject(
                "{\"identifier\":{\"type\":\"m.id.user\",\"user\":\"@alice:example.org\"}}"), SERVER).value());
        assertEquals("@bob:example.org", LoginIdentifiers.user(Json.parseObject("{\"user\":\"bob\"}"), SERVER).value());
    }

    @Test
    void otherIdentifierTypesAreUnsupported() {
        var e = assertThrows(MatrixException.class, () -> LoginIdentifiers.user(Json.parseObject(
                "{\"identifier\":{\"type\":\"m.id.thirdparty\",\"medium\":\"email\",\"address\":\"a@b\"}}"), SERVER));
        assertEquals(ErrorCode.UNKNOWN, e.code());
    }

    @Test
    void missingIdentifier() {
        var e = assertThrows(MatrixException.class, () -> LoginIdentifiers.user(Json.parseObject("{}"), SERVER));
        assertEquals(ErrorCode.MISSING_PARAM, e.code());
    }
}
