package org.hearth.core.room;

import io.helidon.dbclient.DbRow;
import java.util.HashMap;
import java.util.Map;

/** Column reads that tolerate NULL, and parameter maps that may hold nulls (addParam does not). */
final class Rows {
    private Rows() {}

    static String str(DbRow row, String column) {
        Object v = row.column(column).asOptional().orElse(null);
        return v == null ? null : v.toString();
    }

    static long lng(DbRow row, String column) {
        Object v = row.column(column).asOptional().orElse(null);
        return v == null ? 0L : ((Number) v).longValue();
    }

    static Long nullableLong(DbRow row, String column) {
        Object v = row.column(column).asOptional().orElse(null);
        return v == null ? null : ((Number) v).longValue();
    }

    static boolean bool(DbRow row, String column) {
        Object v = row.column(column).asOptional().orElse(null);
        return v instanceof Boolean b ? b : v instanceof Number n && n.intValue() != 0;
    }

    static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }
}
