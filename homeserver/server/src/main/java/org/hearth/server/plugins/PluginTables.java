package org.hearth.server.plugins;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.zip.ZipFile;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.hearth.plugin.api.PluginDatabase;

/**
 * Plugins' own tables: the migrations a plugin jar ships under {@code db/<pluginId>/}, applied at load by Flyway
 * with the plugin's own history table, and the {@link PluginDatabase} that holds a plugin to its table prefix.
 */
public final class PluginTables {
    private final DataSource dataSource;

    public PluginTables(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Applies the jar's pending migrations; returns how many ran. Throws {@link IllegalStateException} with the
     * reason when a migration names a table outside the prefix (nothing applied) or fails.
     */
    int migrate(String pluginId, Path jar) {
        Map<String, String> files = migrations(pluginId, jar);
        if (files.isEmpty()) {
            return 0;
        }
        String prefix = PluginSql.prefix(pluginId);
        for (var file : files.entrySet()) {
            String refusal = PluginSql.refusal(file.getValue(), prefix, false);
            if (refusal != null) {
                throw new IllegalStateException("migration " + file.getKey() + ": " + refusal);
            }
        }
        try {
            Path dir = Files.createTempDirectory("hearth-plugin-" + prefix);
            try {
                for (var file : files.entrySet()) {
                    Files.writeString(dir.resolve(file.getKey()), file.getValue());
                }
                return Flyway.configure(PluginTables.class.getClassLoader())
                        .dataSource(dataSource)
                        .locations("filesystem:" + dir)
                        .table(prefix + "schema_history")
                        // The server's own tables are there already: start this history at 0 so V1 runs.
                        .baselineOnMigrate(true)
                        .baselineVersion("0")
                        .validateOnMigrate(true)
                        .cleanDisabled(true)
                        .load()
                        .migrate().migrationsExecuted;
            } finally {
                try (var walk = Files.walk(dir)) {
                    for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("its migrations failed: " + e.getMessage(), e);
        }
    }

    /** {@code V1__x.sql} file name to text, from {@code db/<pluginId>/} in the jar. */
    private static Map<String, String> migrations(String pluginId, Path jar) {
        Map<String, String> out = new TreeMap<>();
        if (jar == null || !Files.isRegularFile(jar)) {
            return out;
        }
        String dir = "db/" + pluginId + "/";
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                var entry = entries.nextElement();
                String name = entry.getName();
                if (!entry.isDirectory() && name.startsWith(dir) && name.endsWith(".sql")
                        && name.indexOf('/', dir.length()) < 0) {
                    try (var in = zip.getInputStream(entry)) {
                        out.put(name.substring(dir.length()), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public PluginDatabase database(String pluginId) {
        return new Tables(PluginSql.prefix(pluginId), dataSource, new ThreadLocal<>());
    }

    private record Tables(String tablePrefix, DataSource dataSource, ThreadLocal<Connection> inTransaction)
            implements PluginDatabase {
        private static final int MAX_ROWS = 10_000;

        @Override
        public int update(String sql, Object... params) {
            checked(sql);
            return withConnection(c -> {
                try (PreparedStatement statement = prepared(c, sql, params)) {
                    return statement.executeUpdate();
                }
            });
        }

        @Override
        public List<Map<String, Object>> query(String sql, Object... params) {
            checked(sql);
            return withConnection(c -> {
                try (PreparedStatement statement = prepared(c, sql, params)) {
                    statement.setMaxRows(MAX_ROWS);
                    try (ResultSet rows = statement.executeQuery()) {
                        ResultSetMetaData meta = rows.getMetaData();
                        List<Map<String, Object>> out = new ArrayList<>();
                        while (rows.next()) {
                            Map<String, Object> row = new LinkedHashMap<>();
                            for (int i = 1; i <= meta.getColumnCount(); i++) {
                                row.put(meta.getColumnLabel(i).toLowerCase(Locale.ROOT), rows.getObject(i));
                            }
                            out.add(row);
                        }
                        return out;
                    }
                }
            });
        }

        @Override
        public <T> T transaction(Function<PluginDatabase, T> work) {
            if (inTransaction.get() != null) {
                return work.apply(this);
            }
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                inTransaction.set(c);
                try {
                    T result = work.apply(this);
                    c.commit();
                    return result;
                } catch (RuntimeException | Error e) {
                    c.rollback();
                    throw e;
                } finally {
                    inTransaction.remove();
                    c.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("plugin transaction: " + e.getMessage(), e);
            }
        }

        private void checked(String sql) {
            String refusal = PluginSql.refusal(sql, tablePrefix, true);
            if (refusal != null) {
                throw new IllegalArgumentException(refusal);
            }
        }

        private interface Work<T> {
            T run(Connection c) throws SQLException;
        }

        private <T> T withConnection(Work<T> work) {
            try {
                Connection joined = inTransaction.get();
                if (joined != null) {
                    return work.run(joined);
                }
                try (Connection c = dataSource.getConnection()) {
                    return work.run(c);
                }
            } catch (SQLException e) {
                throw new IllegalStateException("plugin SQL: " + e.getMessage(), e);
            }
        }

        private static PreparedStatement prepared(Connection c, String sql, Object[] params) throws SQLException {
            PreparedStatement statement = c.prepareStatement(sql);
            for (int i = 0; i < params.length; i++) {
                statement.setObject(i + 1, params[i]);
            }
            return statement;
        }
    }
}
