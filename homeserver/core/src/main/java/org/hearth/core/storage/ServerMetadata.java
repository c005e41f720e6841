package org.hearth.core.storage;

import io.helidon.dbclient.DbRow;
import java.time.Clock;

/**
 * Which server a database belongs to. Events, keys and user IDs in it all carry that server name, so one
 * database must never be opened under another name.
 */
public final class ServerMetadata {
    private final Database database;
    private final Clock clock;

    public ServerMetadata(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /**
     * Records {@code serverName} as the owner of an unclaimed database, or checks it against the recorded one.
     *
     * @throws ForeignDatabaseException when the database belongs to another server name
     */
    public void claim(String serverName) {
        String owner = database.transaction(tx -> {
            // INSERT IGNORE then read back: two processes starting at once both end up reading the winner.
            tx.createNamedInsert("server-metadata-claim")
                    .addParam("server_name", serverName)
                    .addParam("created_ts", clock.millis())
                    .execute();
            return tx.namedGet("server-metadata-get")
                    .map(ServerMetadata::serverName)
                    .orElseThrow(() -> new IllegalStateException("server_metadata is empty after claiming it"));
        });
        if (!owner.equals(serverName)) {
            throw new ForeignDatabaseException(owner, serverName);
        }
    }

    private static String serverName(DbRow row) {
        return row.column("server_name").get(String.class);
    }

    /** Start-up must stop: the configured server name and the database's do not match. */
    public static final class ForeignDatabaseException extends RuntimeException {
        public ForeignDatabaseException(String owner, String configured) {
            super("this database belongs to server '" + owner + "', but the configured server_name is '"
                    + configured + "'; point database settings at that server's database or at a new one");
        }
    }
}
