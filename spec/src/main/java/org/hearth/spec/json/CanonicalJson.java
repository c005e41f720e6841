package org.hearth.spec.json;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.room.RoomVersion;

/**
 * Canonical JSON (spec: appendices, "Canonical JSON"): UTF-8, no insignificant whitespace, object keys
 * sorted by Unicode code point, only the escapes the grammar requires.
 *
 * <p>{@link #encode} and {@link #encodeBytes} are strict, as the spec's grammar and room versions 6+ demand:
 * a number written with a fraction or exponent, or an integer outside [-(2^53)+1, 2^53-1], is refused with
 * {@code M_BAD_JSON}. {@link #encodeLenient} is for events of room versions 1-5, which the spec warns
 * "might not be fully compliant" and which servers "SHOULD be capable of handling".
 */
public final class CanonicalJson {
    private CanonicalJson() {}

    /** 2^53 - 1: the largest integer an IEEE double holds exactly (spec: appendices, "Canonical JSON"). */
    public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;

    private static final BigInteger MAX_SAFE = BigInteger.valueOf(MAX_SAFE_INTEGER);
    private static final BigInteger MIN_SAFE = MAX_SAFE.negate();
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * Orders strings by Unicode code point. {@link String#compareTo} compares UTF-16 units, which puts an
     * astral character (a surrogate pair, 0xD800-0xDFFF) before U+E000-U+FFFF; the spec sorts by code point
     * (vectors case keys_codepoint_not_utf16_order_nonbmp_after_private_use).
     */
    public static final Comparator<String> CODE_POINT_ORDER = CanonicalJson::compareCodePoints;

    /** Canonical form; {@code M_BAD_JSON} for floats or integers outside [-(2^53)+1, 2^53-1]. */
    public static String encode(JsonValue value) {
        return new String(encodeBytes(value), StandardCharsets.UTF_8);
    }

    /** Canonical form as UTF-8 bytes, as signed and hashed; strict like {@link #encode}. */
    public static byte[] encodeBytes(JsonValue value) {
        Writer w = new Writer(true);
        w.value(value);
        return w.bytes();
    }

    /**
     * Canonical form for room versions 1-5, whose events may hold floats and integers of any size (spec:
     * appendices, "Canonical JSON", warning box). Integers are written exactly whatever their size; a number
     * written with a fraction or exponent is written as Python's {@code json} writes a float (shortest
     * round-trip digits, {@code 1000.0}, {@code 1e+16}, {@code 1e-05}), because Synapse, which created most
     * such events, hashes and signs them that way. Non-finite values (e.g. {@code 1e999}) are refused with
     * {@code M_BAD_JSON}: they have no JSON form.
     */
    public static byte[] encodeLenientBytes(JsonValue value) {
        Writer w = new Writer(false);
        w.value(value);
        return w.bytes();
    }

    /** {@link #encodeLenientBytes} as a string. */
    public static String encodeLenient(JsonValue value) {
        return new String(encodeLenientBytes(value), StandardCharsets.UTF_8);
    }

    /** Canonical bytes under the rules of {@code version}: strict from v6 on ({@link RoomVersion#strictCanonicalJson()}). */
    public static byte[] encodeBytes(JsonValue value, RoomVersion version) {
        return version.strictCanonicalJson() ? encodeBytes(value) : encodeLenientBytes(value);
    }

    /** Checks that {@code value} has a strict canonical form; {@code M_BAD_JSON} naming the first offender otherwise. */
    public static void requireStrict(JsonValue value) {
        encodeBytes(value);
    }

    private static int compareCodePoints(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y) {
                return fixUp(x) - fixUp(y);
            }
        }
        return a.length() - b.length();
    }

    // Moves surrogates above U+E000-U+FFFF so that UTF-16 units compare like the code points they encode.
    private static int fixUp(char c) {
        if (c < 0xD800) {
            return c;
        }
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }

    private static final class Writer {
        private final boolean strict;
        private byte[] buf = new byte[256];
        private int len;

        Writer(boolean strict) {
            this.strict = strict;
        }

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }

        void value(JsonValue v) {
            switch (v.getValueType()) {
                case OBJECT -> object((JsonObject) v);
                case ARRAY -> array((JsonArray) v);
                case STRING -> string(((JsonString) v).getString());
                case NUMBER -> number((JsonNumber) v);
                case TRUE -> ascii("true");
                case FALSE -> ascii("false");
                case NULL -> ascii("null");
            }
        }

        private void object(JsonObject o) {
            int size = o.size();
            if (size == 0) {
                ascii("{}");
                return;
            }
            @SuppressWarnings("unchecked")
            Map.Entry<String, JsonValue>[] entries = o.entrySet().toArray(new Map.Entry[size]);
            Arrays.sort(entries, (p, q) -> compareCodePoints(p.getKey(), q.getKey()));
            put('{');
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    put(',');
                }
                string(entries[i].getKey());
                put(':');
                value(entries[i].getValue());
            }
            put('}');
        }

        private void array(JsonArray a) {
            put('[');
            for (int i = 0, n = a.size(); i < n; i++) {
                if (i > 0) {
                    put(',');
                }
                value(a.get(i));
            }
            put(']');
        }

        private void number(JsonNumber n) {
            if (!n.isIntegral()) {
                if (strict) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "floats are not allowed in canonical JSON: " + n);
                }
                // The written text keeps a negative zero that BigDecimal would lose; parseDouble rounds correctly.
                ascii(PythonFloat.repr(n instanceof Json.WrittenDecimal written
                        ? Double.parseDouble(written.toString()) : n.bigDecimalValue().doubleValue()));
                return;
            }
            long v;
            try {
                v = n.longValueExact();
            } catch (ArithmeticException tooBig) {
                if (strict) {
                    throw new MatrixException(ErrorCode.BAD_JSON, "integer out of range for canonical JSON: " + n);
                }
                BigInteger big = n.bigIntegerValueExact();
                ascii(big.toString());
                return;
            }
            if (strict && (v > MAX_SAFE_INTEGER || v < -MAX_SAFE_INTEGER)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "integer out of range for canonical JSON: " + v);
            }
            ascii(Long.toString(v)); // -0 was parsed as the integer 0, which the spec requires
        }

        private void string(String s) {
            put('"');
            for (int i = 0, n = s.length(); i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    if (c >= 0x20 && c != '"' && c != '\\') {
                        put(c);
                    } else {
                        escape(c);
                    }
                } else if (c < 0x800) {
                    ensure(2);
                    buf[len++] = (byte) (0xC0 | (c >> 6));
                    buf[len++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                        int cp = Character.toCodePoint(c, s.charAt(++i));
                        ensure(4);
                        buf[len++] = (byte) (0xF0 | (cp >> 18));
                        buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                        buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                        buf[len++] = (byte) (0x80 | (cp & 0x3F));
                    } else {
                        // The grammar's "unescaped" excludes nothing above U+001F, but UTF-8 cannot encode a
                        // lone surrogate (vectors invalid[] lone_*_surrogate_*).
                        throw new MatrixException(ErrorCode.BAD_JSON, "lone surrogate in a string");
                    }
                } else {
                    ensure(3);
                    buf[len++] = (byte) (0xE0 | (c >> 12));
                    buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    buf[len++] = (byte) (0x80 | (c & 0x3F));
                }
            }
            put('"');
        }

        // Spec grammar "escaped": short forms for b t n f r, quote and backslash; u00XX in lower-case hex otherwise.
        private void escape(char c) {
            switch (c) {
                case '"' -> ascii("\\\"");
                case '\\' -> ascii("\\\\");
                case '\b' -> ascii("\\b");
                case '\t' -> ascii("\\t");
                case '\n' -> ascii("\\n");
                case '\f' -> ascii("\\f");
                case '\r' -> ascii("\\r");
                default -> {
                    ensure(6);
                    buf[len++] = '\\';
                    buf[len++] = 'u';
                    buf[len++] = '0';
                    buf[len++] = '0';
                    buf[len++] = HEX[c >> 4];
                    buf[len++] = HEX[c & 0xF];
                }
            }
        }

        private void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
        }

        private void put(char c) {
            ensure(1);
            buf[len++] = (byte) c;
        }

        private void ensure(int extra) {
            if (len + extra > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
            }
        }
    }

    /** Python's {@code repr(float)}, the form Synapse gave floats in room versions 1-5. */
    static final class PythonFloat {
        private PythonFloat() {}

        static String repr(double d) {
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "number too large for a float");
            }
            String sign = (d < 0 || (d == 0 && 1 / d < 0)) ? "-" : "";
            if (d == 0) {
                return sign + "0.0";
            }
            // Double.toString gives the shortest digits that round-trip (JDK 19+), like Python's repr.
            BigDecimal shortest = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
            String digits = shortest.unscaledValue().toString();
            int decpt = digits.length() - shortest.scale(); // position of the point after the first digit run
            StringBuilder out = new StringBuilder(sign);
            // CPython float_repr_style 'short': exponent form when decpt <= -4 or decpt > 16.
            if (decpt <= -4 || decpt > 16) {
                out.append(digits.charAt(0));
                if (digits.length() > 1) {
                    out.append('.').append(digits, 1, digits.length());
                }
                int exp = decpt - 1;
                out.append('e').append(exp < 0 ? '-' : '+');
                int abs = Math.abs(exp);
                if (abs < 10) {
                    out.append('0');
                }
                out.append(abs);
            } else if (decpt <= 0) {
                out.append("0.").append("0".repeat(-decpt)).append(digits);
            } else if (decpt >= digits.length()) {
                out.append(digits).append("0".repeat(decpt - digits.length())).append(".0");
            } else {
                out.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
            return out.toString();
        }
    }
}
