package org.hearth.core.admin;

import io.helidon.dbclient.DbRow;

/** Column reads independent of how the driver maps types (TINYINT(1) as Boolean or Integer, BIGINT as Long). */
final class Rows {
    private Rows() {}

    static String string(DbRow row, String column) {
        return row.column(column).asOptional().map(Object::toString).orElse(null);
    }

    static Long nullableLong(DbRow row, String column) {
        return row.column(column).asOptional().map(v -> ((Number) v).longValue()).orElse(null);
    }

    static long longValue(DbRow row, String column) {
        return ((Number) row.column(column).get()).longValue();
    }

    static boolean bool(DbRow row, String column) {
        Object v = row.column(column).get();
        return v instanceof Boolean b ? b : ((Number) v).intValue() != 0;
    }
}
