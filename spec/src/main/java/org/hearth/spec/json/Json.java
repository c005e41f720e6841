package org.hearth.spec.json;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonParser;
import jakarta.json.stream.JsonParserFactory;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Parsing JSON text into jakarta.json values, with numbers kept exact and duplicate keys refused, plus the
 * small typed reads request handlers need.
 *
 * <p>Integers stay exact (any size). A number written with a fraction or an exponent is kept as a
 * non-integral {@link JsonNumber} ({@code isIntegral() == false}) even when its value is whole, so that
 * {@link CanonicalJson} can refuse {@code 1.0} and {@code 1e3} as Synapse does (vectors README, "Hearth's
 * decision on numbers").
 */
public final class Json {
    private Json() {}

    private static final JsonProvider PROVIDER = JsonProvider.provider();
    // Duplicate keys are also checked while building (below); the flag keeps Parsson's own builders strict too.
    private static final Map<String, ?> CONFIG = Map.of("org.eclipse.parsson.rejectDuplicateKeys", true);
    private static final JsonParserFactory PARSERS = PROVIDER.createParserFactory(CONFIG);
    // Parsson's own default limit for a number's text: parsing a 200,000-digit integer took 0.5 s (measured).
    private static final int MAX_NUMBER_LENGTH = 1_100;

    /** Parses any JSON text; {@code M_NOT_JSON} when it is not JSON (including duplicate keys). */
    public static JsonValue parse(String text) {
        if (text == null) {
            throw new MatrixException(ErrorCode.NOT_JSON, "no JSON given");
        }
        try (JsonParser parser = PARSERS.createParser(new StringReader(text))) {
            if (!parser.hasNext()) {
                throw new MatrixException(ErrorCode.NOT_JSON, "empty input");
            }
            JsonValue value = read(parser, parser.next());
            if (parser.hasNext()) {
                throw new MatrixException(ErrorCode.NOT_JSON, "text after the JSON value");
            }
            return value;
        } catch (MatrixException e) {
            throw e;
        } catch (RuntimeException e) {
            // Parsson reports syntax errors as JsonParsingException, but nesting beyond its depth limit (1,000)
            // as a plain RuntimeException: all of them mean the text is not JSON we accept.
            throw new MatrixException(ErrorCode.NOT_JSON, "invalid JSON: " + oneLine(e.getMessage()));
        }
    }

    /** Parses UTF-8 JSON bytes; {@code M_NOT_JSON} when they are not JSON or not valid UTF-8. */
    public static JsonValue parse(byte[] utf8) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8)).toString();
            return parse(text);
        } catch (CharacterCodingException e) {
            // Spec (appendices, "Canonical JSON"): JSON on the wire is UTF-8; anything else is not JSON to us.
            throw new MatrixException(ErrorCode.NOT_JSON, "invalid UTF-8");
        }
    }

    /** Parses a JSON object; {@code M_NOT_JSON} when not JSON, {@code M_BAD_JSON} when not an object. */
    public static JsonObject parseObject(String text) {
        return asObject(parse(text));
    }

    /** Parses a JSON object from UTF-8 bytes; {@code M_NOT_JSON} when not JSON, {@code M_BAD_JSON} when not an object. */
    public static JsonObject parseObject(byte[] utf8) {
        return asObject(parse(utf8));
    }

    private static JsonObject asObject(JsonValue value) {
        if (value instanceof JsonObject o) {
            return o;
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "expected a JSON object");
    }

    /** The string at {@code key}; {@code M_MISSING_PARAM} when absent, {@code M_BAD_JSON} when not a string. */
    public static String requiredString(JsonObject object, String key) {
        JsonValue v = object.get(key);
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "missing '" + key + "'");
        }
        if (v instanceof JsonString s) {
            return s.getString();
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be a string");
    }

    /** The string at {@code key}, empty when absent or null; {@code M_BAD_JSON} when another type. */
    public static Optional<String> optionalString(JsonObject object, String key) {
        JsonValue v = object.get(key);
        if (v == null || v == JsonValue.NULL) {
            return Optional.empty();
        }
        if (v instanceof JsonString s) {
            return Optional.of(s.getString());
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be a string");
    }

    /** The object at {@code key}; {@code M_MISSING_PARAM} when absent, {@code M_BAD_JSON} when not an object. */
    public static JsonObject requiredObject(JsonObject object, String key) {
        JsonValue v = object.get(key);
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "missing '" + key + "'");
        }
        if (v instanceof JsonObject o) {
            return o;
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be an object");
    }

    /** The array at {@code key}; {@code M_MISSING_PARAM} when absent, {@code M_BAD_JSON} when not an array. */
    public static JsonArray requiredArray(JsonObject object, String key) {
        JsonValue v = object.get(key);
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "missing '" + key + "'");
        }
        if (v instanceof JsonArray a) {
            return a;
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be an array");
    }

    /**
     * The integer at {@code key}; {@code M_MISSING_PARAM} when absent, {@code M_BAD_JSON} when not an integer
     * that fits in a long.
     */
    public static long requiredLong(JsonObject object, String key) {
        JsonValue v = object.get(key);
        if (v == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "missing '" + key + "'");
        }
        if (v instanceof JsonNumber n && n.isIntegral()) {
            try {
                return n.longValueExact();
            } catch (ArithmeticException e) {
                throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' is out of range");
            }
        }
        throw new MatrixException(ErrorCode.BAD_JSON, "'" + key + "' must be an integer");
    }

    /** A new object builder; a shorthand so callers need not import jakarta.json.Json beside this class. */
    public static JsonObjectBuilder objectBuilder() {
        return PROVIDER.createObjectBuilder();
    }

    /** A copy of {@code object} to change. */
    public static JsonObjectBuilder objectBuilder(JsonObject object) {
        return PROVIDER.createObjectBuilder(object);
    }

    /** A new array builder. */
    public static JsonArrayBuilder arrayBuilder() {
        return PROVIDER.createArrayBuilder();
    }

    /**
     * An array builder holding {@code values}. Use this (and the builders above), never {@code jakarta.json.Json}'s
     * static methods: those look the provider up through ServiceLoader at every call (a third of a sync answer's CPU).
     */
    public static JsonArrayBuilder arrayBuilder(java.util.Collection<?> values) {
        return PROVIDER.createArrayBuilder(values);
    }

    /** A JSON string value. */
    public static JsonString string(String value) {
        return PROVIDER.createValue(value);
    }

    /** A JSON integer value. */
    public static JsonNumber number(long value) {
        return PROVIDER.createValue(value);
    }

    // Built by hand from the streaming parser: Parsson's tree builder turns "1.0e1" into an integral 10,
    // losing the fact that it was written as a float.
    private static JsonValue read(JsonParser parser, JsonParser.Event event) {
        return switch (event) {
            case START_OBJECT -> readObject(parser);
            case START_ARRAY -> readArray(parser);
            case VALUE_STRING -> PROVIDER.createValue(parser.getString());
            case VALUE_NUMBER -> number(parser.getString());
            case VALUE_TRUE -> JsonValue.TRUE;
            case VALUE_FALSE -> JsonValue.FALSE;
            case VALUE_NULL -> JsonValue.NULL;
            case KEY_NAME, END_OBJECT, END_ARRAY -> throw new MatrixException(ErrorCode.NOT_JSON, "unexpected " + event);
        };
    }

    private static JsonObject readObject(JsonParser parser) {
        JsonObjectBuilder builder = PROVIDER.createObjectBuilder();
        Set<String> seen = new HashSet<>();
        while (true) {
            JsonParser.Event e = parser.next();
            if (e == JsonParser.Event.END_OBJECT) {
                return builder.build();
            }
            String key = parser.getString();
            if (!seen.add(key)) {
                // Vectors invalid[] duplicate_keys_*: an object with a repeated key has no single canonical form.
                throw new MatrixException(ErrorCode.NOT_JSON, "duplicate key '" + key + "'");
            }
            builder.add(key, read(parser, parser.next()));
        }
    }

    private static JsonArray readArray(JsonParser parser) {
        JsonArrayBuilder builder = PROVIDER.createArrayBuilder();
        while (true) {
            JsonParser.Event e = parser.next();
            if (e == JsonParser.Event.END_ARRAY) {
                return builder.build();
            }
            builder.add(read(parser, e));
        }
    }

    private static JsonNumber number(String lexeme) {
        if (lexeme.length() > MAX_NUMBER_LENGTH) {
            throw new MatrixException(ErrorCode.NOT_JSON, "number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        boolean integral = lexeme.indexOf('.') < 0 && lexeme.indexOf('e') < 0 && lexeme.indexOf('E') < 0;
        if (!integral) {
            return new WrittenDecimal(lexeme);
        }
        if (lexeme.length() <= 18) {
            return PROVIDER.createValue(Long.parseLong(lexeme));
        }
        return PROVIDER.createValue(new BigInteger(lexeme));
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replace('\n', ' ').replace('\r', ' ');
    }

    /**
     * A number written with a fraction or an exponent. Never integral, whatever its value: canonical JSON
     * forbids the notation itself (vectors invalid[] float_with_fraction_zero, float_exponent).
     */
    static final class WrittenDecimal implements JsonNumber {
        private final String lexeme;
        private BigDecimal value;

        WrittenDecimal(String lexeme) {
            this.lexeme = lexeme;
        }

        @Override
        public boolean isIntegral() {
            return false;
        }

        @Override
        public BigDecimal bigDecimalValue() {
            BigDecimal v = value;
            if (v == null) {
                v = new BigDecimal(lexeme);
                value = v;
            }
            return v;
        }

        @Override
        public int intValue() {
            return bigDecimalValue().intValue();
        }

        @Override
        public int intValueExact() {
            return bigDecimalValue().intValueExact();
        }

        @Override
        public long longValue() {
            return bigDecimalValue().longValue();
        }

        @Override
        public long longValueExact() {
            return bigDecimalValue().longValueExact();
        }

        @Override
        public BigInteger bigIntegerValue() {
            return bounded().toBigInteger();
        }

        @Override
        public BigInteger bigIntegerValueExact() {
            return bounded().toBigIntegerExact();
        }

        // "1e999999999" is short text for a billion-digit integer: refuse to build it, as Parsson does.
        private BigDecimal bounded() {
            BigDecimal v = bigDecimalValue();
            if (Math.abs((long) v.scale()) > 100_000) {
                throw new ArithmeticException("number too large: " + lexeme);
            }
            return v;
        }

        @Override
        public double doubleValue() {
            return bigDecimalValue().doubleValue();
        }

        @Override
        public ValueType getValueType() {
            return ValueType.NUMBER;
        }

        // The JsonNumber contract: equal to any JsonNumber with an equal BigDecimal value.
        @Override
        public boolean equals(Object o) {
            return o instanceof JsonNumber n && bigDecimalValue().equals(n.bigDecimalValue());
        }

        @Override
        public int hashCode() {
            return bigDecimalValue().hashCode();
        }

        @Override
        public String toString() {
            return lexeme;
        }
    }
}
