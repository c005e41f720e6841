package org.hearth.core.storage;

import io.helidon.dbclient.DbExecute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Writes of one transaction sent to MariaDB together, as one multi-statement query (the pool's connections allow
 * them, see {@link Database}): one round trip instead of one per statement. Parameters stay bound by the driver;
 * MariaDB stops at the first failing statement and the failure is thrown, as for single statements.
 */
public final class RoundTrip {
    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();
    private int statements;

    /** Appends {@code statement} with its positional ({@code ?}) parameters, nulls allowed. */
    public RoundTrip add(String statement, List<?> values) {
        if (statements++ > 0) {
            sql.append(";\n");
        }
        sql.append(statement);
        params.addAll(values);
        return this;
    }

    /** {@code rows} groups of {@code columns} placeholders: "(?, ?), (?, ?)". */
    public static String rows(int rows, int columns) {
        String row = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
        return String.join(", ", Collections.nCopies(rows, row));
    }

    public boolean isEmpty() {
        return statements == 0;
    }

    /** Sends everything added in {@code tx}; the first statement's update count (0 when nothing was added). */
    public long send(DbExecute tx) {
        if (statements == 0) {
            return 0;
        }
        long first = tx.createDmlStatement(sql.toString()).params(params).execute();
        sql.setLength(0);
        params.clear();
        statements = 0;
        return first;
    }
}
