-- Federation storage (spec: Server-Server API, "Checks performed on receipt of a PDU").
-- outlier: an event known for auth and state (a joined room's state and auth chain, a remote invite) but not placed
-- in the room's DAG here: no state before it, never in timelines; it stops being one when reached through the DAG.
-- rejected_reason: why a rejected event failed auth; it is kept so it is not fetched again, never shown to clients.
ALTER TABLE events
    ADD COLUMN outlier BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN rejected_reason VARCHAR(1024) NULL;
-- Earlier versions stored outliers as soft-failed rows without state groups.
UPDATE events SET outlier = TRUE, soft_failed = FALSE WHERE soft_failed = TRUE AND state_group = 0 AND state_group_after = 0;

-- The per-destination outbound queue (spec: "Transactions"): PDUs and EDUs in the order they were queued. A row
-- with txn_id set belongs to the transaction in flight; a retry resends that frozen body unaltered.
CREATE TABLE federation_outbox (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    destination VARCHAR(255) NOT NULL,
    kind        VARCHAR(8)   NOT NULL,
    json        MEDIUMTEXT   NOT NULL,
    KEY federation_outbox_destination (destination, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The transaction in flight to each destination, its body frozen: after a restart it is retried as it was.
CREATE TABLE federation_txn_in_flight (
    destination VARCHAR(255) NOT NULL PRIMARY KEY,
    txn_id      VARCHAR(64)  NOT NULL,
    -- The last outbox row it carries: rows up to it are deleted once the destination accepted it.
    last_id     BIGINT       NOT NULL,
    body        MEDIUMTEXT   NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Answers to inbound transactions by (origin, txnId), kept a day (as Synapse does) so a retry gets the same answer.
CREATE TABLE federation_txn_answers (
    origin      VARCHAR(255) NOT NULL,
    txn_id      VARCHAR(255) NOT NULL,
    answer      MEDIUMTEXT   NOT NULL,
    received_ts BIGINT       NOT NULL,
    PRIMARY KEY (origin, txn_id),
    KEY federation_txn_answers_ts (received_ts)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
