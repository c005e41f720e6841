package org.hearth.bridge.appservice;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The transaction IDs a bridge has processed (spec: the same ID must not be processed twice). */
public interface TransactionLog {
    boolean isDone(String txnId);

    void markDone(String txnId);

    /** Forgets everything on restart: for tests and bridges where a replay after a restart is harmless. */
    static TransactionLog inMemory() {
        Set<String> done = ConcurrentHashMap.newKeySet();
        return new TransactionLog() {
            @Override
            public boolean isDone(String txnId) {
                return done.contains(txnId);
            }

            @Override
            public void markDone(String txnId) {
                done.add(txnId);
            }
        };
    }
}
