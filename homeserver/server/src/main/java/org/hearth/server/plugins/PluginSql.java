package org.hearth.server.plugins;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The table names a plugin's SQL refers to, to hold a plugin to its own {@code plugin_<id>_} tables. A reading of
 * the keywords that precede table names (after string literals and comments are blanked), not a parser: it guards
 * against mistakes, not against a hostile plugin.
 */
final class PluginSql {
    private static final Pattern LITERALS = Pattern.compile("'(?:[^'\\\\]|\\\\.|'')*'|\"(?:[^\"\\\\]|\\\\.)*\"|--[^\\n]*|#[^\\n]*|/\\*.*?\\*/",
            Pattern.DOTALL);
    private static final Pattern TABLE = Pattern.compile("(?i)\\b(?:TABLE(?:\\s+IF\\s+(?:NOT\\s+)?EXISTS)?|INTO|UPDATE|FROM|JOIN"
            + "|REFERENCES|INDEX\\s+`?[A-Za-z0-9_$]+`?\\s+ON|TRUNCATE|RENAME\\s+TO|DESCRIBE|LOCK\\s+TABLES|VIEW)\\s+(`[^`]+`|[A-Za-z0-9_$.]+)");
    private static final Pattern UPSERT = Pattern.compile("(?i)\\bON\\s+DUPLICATE\\s+KEY\\s+UPDATE\\b");
    private static final Pattern PLAIN_NAME = Pattern.compile("[a-z0-9_]+");

    private PluginSql() {}

    /** {@code plugin_<id>_}, the ID's {@code -} and {@code .} as {@code _}. */
    static String prefix(String pluginId) {
        return "plugin_" + pluginId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_") + "_";
    }

    static String blanked(String sql) {
        // An upsert's UPDATE names columns, not a table.
        return UPSERT.matcher(LITERALS.matcher(sql).replaceAll("''")).replaceAll(" ");
    }

    static List<String> tables(String sql) {
        List<String> out = new ArrayList<>();
        Matcher m = TABLE.matcher(blanked(sql));
        while (m.find()) {
            out.add(m.group(1).replace("`", ""));
        }
        return out;
    }

    /**
     * Why {@code sql} may not run as the plugin's, or null: a table outside the prefix, or (when {@code single}) more
     * than one statement.
     */
    static String refusal(String sql, String prefix, boolean single) {
        String blank = blanked(sql).strip();
        if (single && blank.replaceAll(";\\s*$", "").contains(";")) {
            return "one statement at a time";
        }
        for (String table : tables(sql)) {
            String lower = table.toLowerCase(Locale.ROOT);
            if (!lower.startsWith(prefix) || !PLAIN_NAME.matcher(lower).matches()) {
                return "table " + table + " is not the plugin's (its tables start with " + prefix + ")";
            }
        }
        return null;
    }
}
