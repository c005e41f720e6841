package org.hearth.core.storage;

import java.lang.reflect.Method;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Diagnosis only ({@code -Dhearth.db.statement_stats_s=N}): counts the statements prepared and the commits made,
 * by SQL text, and logs the running totals every N seconds, so a benchmark can read statements per operation.
 */
final class StatementStats {
    static final long INTERVAL_S = Long.getLong("hearth.db.statement_stats_s", 0L);
    static final boolean ON = INTERVAL_S > 0;
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();
    private static final System.Logger LOG = System.getLogger(StatementStats.class.getName());

    static {
        if (ON) {
            Thread.ofPlatform().daemon().name("statement-stats").start(() -> {
                while (true) {
                    try {
                        Thread.sleep(INTERVAL_S * 1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                    log();
                }
            });
        }
    }

    private StatementStats() {
    }

    static void seen(Method method, Object[] args) {
        String name = method.getName();
        String key;
        if ((name.equals("prepareStatement") || name.equals("prepareCall") ) && args != null && args[0] instanceof String sql) {
            key = sql.replaceAll("\\s+", " ").strip();
        } else if (name.equals("commit") || name.equals("rollback") || name.equals("createStatement")) {
            key = "<" + name + ">";
        } else {
            return;
        }
        COUNTS.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    private static void log() {
        long total = COUNTS.values().stream().mapToLong(LongAdder::sum).sum();
        StringBuilder out = new StringBuilder("statements so far: " + total);
        COUNTS.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, LongAdder> e) -> e.getValue().sum()).reversed())
                .forEach(e -> out.append("\n  ").append(e.getValue().sum()).append('\t')
                        .append(e.getKey(), 0, Math.min(160, e.getKey().length())));
        LOG.log(System.Logger.Level.INFO, out.toString());
    }
}
