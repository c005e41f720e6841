package org.hearth.spec.push;

import jakarta.json.JsonNumber;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigInteger;

/** The non-compound values {@code event_property_is} and {@code event_property_contains} compare. */
final class Scalars {
    private Scalars() {}

    /**
     * Whether {@code value} is one the spec lets {@code event_property_is} and {@code event_property_contains}
     * compare: a string, an integer in [-(2^53)+1, (2^53)-1], a boolean or null.
     */
    static boolean isScalar(JsonValue value) {
        return switch (value.getValueType()) {
            case STRING, TRUE, FALSE, NULL -> true;
            case NUMBER -> {
                JsonNumber n = (JsonNumber) value;
                yield n.isIntegral() && n.bigIntegerValue().abs().compareTo(MAX_SAFE) <= 0;
            }
            case OBJECT, ARRAY -> false;
        };
    }

    /** Exact equality of two scalars: no casts, so "1" is not 1 and 1 is not true. */
    static boolean sameScalar(JsonValue a, JsonValue b) {
        if (!isScalar(a) || !isScalar(b) || a.getValueType() != b.getValueType()) {
            return false;
        }
        return switch (a.getValueType()) {
            case STRING -> ((JsonString) a).getString().equals(((JsonString) b).getString());
            case NUMBER -> ((JsonNumber) a).bigIntegerValue().equals(((JsonNumber) b).bigIntegerValue());
            default -> true; // same literal type: true, false or null
        };
    }

    private static final BigInteger MAX_SAFE = BigInteger.ONE.shiftLeft(53).subtract(BigInteger.ONE);

}
