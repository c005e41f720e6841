package org.hearth.core.storage;

import io.helidon.dbclient.DbRow;
import java.util.HashMap;
import java.util.Map;

/**
 * Column reads independent of how the driver maps types (TINYINT(1) as Boolean or Integer, BIGINT as Long) and
 * tolerant of NULL, and parameter maps that may hold nulls (addParam does not).
 */
public final class Rows {
    private Rows() {}

    /** The column as text, or null. */
    public static String string(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    /** Same as {@link #string}. */
    public static String str(DbRow row, String column) {
        return string(row, column);
    }

    /** The column as a number, 0 when NULL. */
    public static long lng(DbRow row, String column) {
        Long v = nullableLong(row, column);
        return v == null ? 0L : v;
    }

    /** The column as a number; it must not be NULL. */
    public static long longValue(DbRow row, String column) {
        return ((Number) row.column(column).get()).longValue();
    }

    public static Long nullableLong(DbRow row, String column) {
        return row.column(column).asOptional().map(v -> ((Number) v).longValue()).orElse(null);
    }

    /** TINYINT(1) or BOOLEAN; NULL is false. */
    public static boolean bool(DbRow row, String column) {
        Object v = row.column(column).asOptional().orElse(null);
        return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
    }

    /** Alternating names and values, nulls allowed. */
    public static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
