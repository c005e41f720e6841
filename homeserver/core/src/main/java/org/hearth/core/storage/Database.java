package org.hearth.core.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import io.helidon.config.Config;
import io.helidon.config.spi.ConfigSource;
import io.helidon.config.ConfigSources;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbStatements;
import io.helidon.dbclient.DbTransaction;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import io.helidon.dbclient.jdbc.JdbcConnectionPool;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The MariaDB database of one server: a HikariCP pool, helidon-dbclient over it with the named statements of
 * {@code db/statements/<area>.yaml}, and {@link #transaction} as the one place that commits.
 */
public final class Database implements AutoCloseable {
    /** One file of named statements ("area-verb") per spec area, so each area's SQL sits in one place. */
    static final List<String> STATEMENT_AREAS = List.of(
            "server",
            "accounts",
            "rooms",
            "streams",
            "backup",
            "reports",
            "admin",
            "relations",
            "media",
            "keys",
            "directory",
            "notifications",
            "federation",
            "plugins",
            "appservice",
            "retention",
            "devicelists");

    private final HikariDataSource pool;
    private final DbClient client;

    private Database(HikariDataSource pool, DbClient client) {
        this.pool = pool;
        this.client = client;
    }

    /**
     * Opens a pool on {@code settings}; fails at once when the database does not answer.
     *
     * @throws UnavailableException when no connection can be made (wrong URL, credentials, missing database)
     */
    public static Database open(DatabaseSettings settings) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(settings.jdbcUrl());
        hikari.setUsername(settings.user());
        hikari.setPassword(settings.password());
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setPoolName("hearth-db");
        // Transactions are explicit (see transaction()); single statements outside one commit on their own.
        hikari.setAutoCommit(true);
        // READ COMMITTED, not MariaDB's REPEATABLE READ: fewer gap locks between concurrent writers.
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // Diagnosis only: logs where a connection was taken when it is held longer than this (>= 2000 ms).
        hikari.setLeakDetectionThreshold(Long.getLong("hearth.db.leak_detection_ms", 0L));
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hikari);
        } catch (HikariPool.PoolInitializationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new UnavailableException("cannot connect to " + settings.jdbcUrl() + " as '" + settings.user() + "': "
                    + cause.getMessage(), e);
        }
        try {
            DbClient client = JdbcClientBuilder.create()
                    .connectionPool(new HikariConnections(pool))
                    .statements(statements())
                    .build();
            return new Database(pool, client);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static DbStatements statements() {
        List<Supplier<? extends ConfigSource>> sources = new ArrayList<>();
        for (String area : STATEMENT_AREAS) {
            sources.add(ConfigSources.classpath("db/statements/" + area + ".yaml"));
        }
        Config config = Config.builder()
                .sources(sources)
                .disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource()
                .build();
        return DbStatements.create(config);
    }

    /** For reads and single statements that need no transaction. */
    public DbExecute execute() {
        return client.execute();
    }

    /**
     * Runs {@code work} in one transaction: commits when it returns, rolls back when anything is thrown (and
     * rethrows it). The only place in Hearth that commits.
     */
    public <T> T transaction(Function<DbTransaction, T> work) {
        DbTransaction tx = client.transaction();
        try {
            T result = work.apply(tx);
            tx.commit();
            return result;
        } catch (RuntimeException | Error e) {
            try {
                tx.rollback();
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
    }

    /** For Flyway and the few JDBC-only operations (batches). */
    public DataSource dataSource() {
        return pool;
    }

    @Override
    public void close() {
        client.close();
        pool.close();
    }

    /** The database cannot be reached or entered: an operator's problem, not a bug. */
    public static final class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private record HikariConnections(HikariDataSource pool) implements JdbcConnectionPool {
        // Connections the current thread has checked out and not closed: a second one taken while holding one
        // (a read outside the open transaction) can wait forever on an exhausted pool.
        private static final ThreadLocal<int[]> HELD = ThreadLocal.withInitial(() -> new int[1]);

        @Override
        public Connection connection() {
            int[] held = HELD.get();
            if (held[0] > 0) {
                NESTED.log(System.Logger.Level.WARNING, "a thread holding a database connection takes another",
                        new IllegalStateException("nested connection"));
            }
            Connection c;
            try {
                c = pool.getConnection();
            } catch (SQLException e) {
                throw new IllegalStateException("no database connection: " + e.getMessage(), e);
            }
            held[0]++;
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, new Counted(c, held));
        }

        @Override
        public String dbType() {
            return "mysql";
        }
    }

    private static final System.Logger NESTED = System.getLogger(Database.class.getName() + ".nested");

    private static final class Counted implements InvocationHandler {
        private final Connection target;
        private final int[] held;
        private boolean closed;

        Counted(Connection target, int[] held) {
            this.target = target;
            this.held = held;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals("close") && method.getParameterCount() == 0 && !closed) {
                closed = true;
                held[0]--;
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
