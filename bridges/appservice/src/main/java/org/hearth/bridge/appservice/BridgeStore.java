package org.hearth.bridge.appservice;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * A bridge's own MariaDB state: the transactions it processed and its mappings between remote IDs and Matrix IDs.
 * The schema is the kit's migrations plus the bridge's ({@code extraLocations}, versions V10 and up), recorded in
 * {@code flyway_schema_history_bridge_<id>} so several bridges (and even the homeserver) can share a database.
 */
public final class BridgeStore implements TransactionLog, AutoCloseable {
    static final String KIT_LOCATION = "classpath:db/bridge/appservice";

    /** A mapping row: {@code data} is free text for the bridge (often JSON), or null. */
    public record Mapping(String kind, String remoteId, String matrixId, String data) {}

    private final String bridgeId;
    private final HikariDataSource pool;

    private BridgeStore(String bridgeId, HikariDataSource pool) {
        this.bridgeId = bridgeId;
        this.pool = pool;
    }

    /** Connects and migrates; {@code extraLocations} are the bridge's own Flyway locations. */
    public static BridgeStore open(String bridgeId, String jdbcUrl, String user, String password,
                                   String... extraLocations) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(4);
        config.setPoolName("bridge-" + bridgeId);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            migrate(bridgeId, pool, extraLocations);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new BridgeStore(bridgeId, pool);
    }

    static void migrate(String bridgeId, DataSource dataSource, String... extraLocations) {
        List<String> locations = new ArrayList<>(List.of(KIT_LOCATION));
        locations.addAll(List.of(extraLocations));
        Flyway.configure(BridgeStore.class.getClassLoader())
                .dataSource(dataSource)
                .table(historyTable(bridgeId))
                .locations(locations.toArray(String[]::new))
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .validateOnMigrate(true)
                .cleanDisabled(true)
                .load()
                .migrate();
    }

    /** {@code flyway_schema_history_bridge_<id>}, the ID reduced to what a table name may hold. */
    public static String historyTable(String bridgeId) {
        return "flyway_schema_history_bridge_" + bridgeId.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    public DataSource dataSource() {
        return pool;
    }

    @Override
    public boolean isDone(String txnId) {
        return query("SELECT 1 FROM bridge_transactions WHERE bridge_id = ? AND txn_id = ?",
                rs -> true, bridgeId, txnId).findFirst().orElse(false);
    }

    @Override
    public void markDone(String txnId) {
        update("INSERT IGNORE INTO bridge_transactions (bridge_id, txn_id, done_ts) VALUES (?, ?, ?)",
                bridgeId, txnId, System.currentTimeMillis());
    }

    /** Sets (or replaces) the Matrix ID and data of a remote ID. */
    public void putMapping(Mapping m) {
        update("INSERT INTO bridge_mappings (bridge_id, kind, remote_id, matrix_id, data, updated_ts) VALUES (?, ?, ?, ?, ?, ?)"
                        + " ON DUPLICATE KEY UPDATE matrix_id = VALUES(matrix_id), data = VALUES(data), updated_ts = VALUES(updated_ts)",
                bridgeId, m.kind(), m.remoteId(), m.matrixId(), m.data(), System.currentTimeMillis());
    }

    public Optional<Mapping> byRemote(String kind, String remoteId) {
        return query("SELECT kind, remote_id, matrix_id, data FROM bridge_mappings WHERE bridge_id = ? AND kind = ? AND remote_id = ?",
                BridgeStore::mapping, bridgeId, kind, remoteId).findFirst();
    }

    public List<Mapping> byMatrix(String kind, String matrixId) {
        return query("SELECT kind, remote_id, matrix_id, data FROM bridge_mappings WHERE bridge_id = ? AND kind = ? AND matrix_id = ? ORDER BY remote_id",
                BridgeStore::mapping, bridgeId, kind, matrixId).toList();
    }

    public List<Mapping> all(String kind) {
        return query("SELECT kind, remote_id, matrix_id, data FROM bridge_mappings WHERE bridge_id = ? AND kind = ? ORDER BY remote_id",
                BridgeStore::mapping, bridgeId, kind).toList();
    }

    public void deleteMapping(String kind, String remoteId) {
        update("DELETE FROM bridge_mappings WHERE bridge_id = ? AND kind = ? AND remote_id = ?", bridgeId, kind, remoteId);
    }

    private static Mapping mapping(ResultSet rs) throws SQLException {
        return new Mapping(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4));
    }

    interface RowReader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> Stream<T> query(String sql, RowReader<T> reader, Object... params) {
        try (Connection c = pool.getConnection(); PreparedStatement st = prepare(c, sql, params);
             ResultSet rs = st.executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) {
                out.add(reader.read(rs));
            }
            return out.stream();
        } catch (SQLException e) {
            throw new IllegalStateException("bridge store: " + e.getMessage(), e);
        }
    }

    private void update(String sql, Object... params) {
        try (Connection c = pool.getConnection(); PreparedStatement st = prepare(c, sql, params)) {
            st.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("bridge store: " + e.getMessage(), e);
        }
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... params) throws SQLException {
        PreparedStatement st = c.prepareStatement(sql);
        for (int i = 0; i < params.length; i++) {
            st.setObject(i + 1, params[i]);
        }
        return st;
    }

    @Override
    public void close() {
        pool.close();
    }
}
