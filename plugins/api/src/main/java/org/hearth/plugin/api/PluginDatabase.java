package org.hearth.plugin.api;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The plugin's own tables, created by the migrations it ships ({@code db/<pluginId>/V1__name.sql} in its jar,
 * applied at load with their own Flyway history table {@code plugin_<pluginId>_schema_history}). Every table a
 * statement names must start with {@link #tablePrefix()}, {@code plugin_<pluginId>_}; a statement naming another
 * table, or holding more than one statement, is refused with {@link IllegalArgumentException}. The check reads the
 * SQL's table names; it guards against mistakes, not against a hostile plugin. Parameters are JDBC's {@code ?}.
 */
public interface PluginDatabase {
    /** {@code plugin_<pluginId>_}, with any {@code -} or {@code .} of the ID as {@code _}. */
    String tablePrefix();

    /** An INSERT, UPDATE, DELETE or REPLACE; returns the number of rows changed. */
    int update(String sql, Object... params);

    /** A SELECT; each row maps column labels (lower case) to JDBC values (String, Long, Integer, byte[], ...). */
    List<Map<String, Object>> query(String sql, Object... params);

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws. Calls on the
     * given database inside it join the transaction.
     */
    <T> T transaction(Function<PluginDatabase, T> work);
}
