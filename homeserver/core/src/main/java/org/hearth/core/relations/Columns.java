package org.hearth.core.relations;

import io.helidon.dbclient.DbRow;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Column reads that tolerate NULL, parameter maps that may hold nulls, and IN-list placeholders. */
final class Columns {
    private Columns() {}

    static String str(DbRow row, String column) {
        Object v = row.column(column).asOptional().orElse(null);
        return v == null ? null : v.toString();
    }

    static long lng(DbRow row, String column) {
        Object v = row.column(column).asOptional().orElse(null);
        return v == null ? 0L : ((Number) v).longValue();
    }

    static Map<String, Object> params(Object... keyValues) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    /** Appends "?, ?, ..." for {@code values} and adds them to {@code params}: values never enter the SQL text. */
    static void placeholders(StringBuilder sql, Collection<?> values, List<Object> params) {
        boolean first = true;
        for (Object v : values) {
            sql.append(first ? "?" : ", ?");
            params.add(v);
            first = false;
        }
    }
}
