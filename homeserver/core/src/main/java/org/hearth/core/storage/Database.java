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
import org.hearth.core.ratelimit.RateLimited;

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
            "devicelists",
            "delayed");

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
        return open(settings, ADMISSION_WAIT_MS);
    }

    /** {@code admissionWaitMs}: how long a caller waits for a connection before {@link RateLimited}. */
    static Database open(DatabaseSettings settings, long admissionWaitMs) {
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
        // RoundTrip sends a commit's writes as one multi-statement query: one round trip, not one per statement.
        hikari.addDataSourceProperty("allowMultiQueries", "true");
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
                    .connectionPool(new HikariConnections(pool,
                            new java.util.concurrent.Semaphore(settings.poolSize(), true), admissionWaitMs))
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
        List<Runnable> outer = AFTER_COMMIT.get();
        List<Runnable> after = new ArrayList<>();
        AFTER_COMMIT.set(after);
        DbTransaction tx = client.transaction();
        T result;
        try {
            result = work.apply(tx);
            tx.commit();
        } catch (RuntimeException | Error e) {
            try {
                tx.rollback();
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        } finally {
            AFTER_COMMIT.set(outer);
        }
        after.forEach(Runnable::run);
        return result;
    }

    // What the transaction running on this thread does once it committed (see afterCommit).
    private static final ThreadLocal<List<Runnable>> AFTER_COMMIT = new ThreadLocal<>();

    /**
     * Runs {@code action} once the transaction open on this thread has committed (never when it rolls back), or
     * at once outside a transaction: for in-memory copies of rows, which must not show what may be rolled back.
     */
    public static void afterCommit(Runnable action) {
        List<Runnable> pending = AFTER_COMMIT.get();
        if (pending == null) {
            action.run();
        } else {
            pending.add(action);
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

    /**
     * Longest wait for a connection before the request is refused with 429 {@code M_LIMIT_EXCEEDED}: an overloaded
     * server answers quickly and the client retries, instead of a 500 after Hikari's 30 s. 0 turns the admission
     * queue off (callers wait in Hikari itself, as before), for side-by-side measurements.
     */
    static final long ADMISSION_WAIT_MS = Long.getLong("hearth.db.admission_wait_ms", 10_000L);
    static final long OVERLOAD_RETRY_AFTER_MS = 1_000;

    // At most pool-size threads ask Hikari at once; the others wait here in arrival order. Hikari's hand-off spins
    // (Thread.yield) while it has waiters, which with thousands of virtual threads took the carriers (HikariCP #2398).
    private record HikariConnections(HikariDataSource pool, java.util.concurrent.Semaphore admission, long waitMs)
            implements JdbcConnectionPool {
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
            try {
                if (waitMs > 0 && !admission.tryAcquire(waitMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    throw new RateLimited(OVERLOAD_RETRY_AFTER_MS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a database connection", e);
            }
            Connection c;
            try {
                c = pool.getConnection();
            } catch (SQLException | RuntimeException e) {
                if (waitMs > 0) {
                    admission.release();
                }
                throw new IllegalStateException("no database connection: " + e.getMessage(), e);
            }
            held[0]++;
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, new Counted(c, held, waitMs > 0 ? admission : null));
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
        private final java.util.concurrent.Semaphore admission;
        private boolean closed;

        Counted(Connection target, int[] held, java.util.concurrent.Semaphore admission) {
            this.target = target;
            this.held = held;
            this.admission = admission;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            boolean closing = method.getName().equals("close") && method.getParameterCount() == 0 && !closed;
            if (closing) {
                closed = true;
                held[0]--;
            }
            if (StatementStats.ON) {
                StatementStats.seen(method, args);
            }
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            } finally {
                if (closing && admission != null) {
                    admission.release();
                }
            }
        }
    }
}
