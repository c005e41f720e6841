-- The kit's tables, shared by every bridge in the database (rows keyed by bridge_id); each bridge runs this under
-- its own history table, hence IF NOT EXISTS. Kit migrations use V1-V9; a bridge's own start at V10.
CREATE TABLE IF NOT EXISTS bridge_transactions (
    bridge_id VARCHAR(64) NOT NULL,
    txn_id VARCHAR(255) NOT NULL,
    done_ts BIGINT NOT NULL,
    PRIMARY KEY (bridge_id, txn_id)
);

-- One remote thing (a Telegram sticker set, an IRC channel or nick) and the Matrix ID it is bridged to.
CREATE TABLE IF NOT EXISTS bridge_mappings (
    bridge_id VARCHAR(64) NOT NULL,
    kind VARCHAR(32) NOT NULL,
    remote_id VARCHAR(255) NOT NULL,
    matrix_id VARCHAR(255) NOT NULL,
    data MEDIUMTEXT NULL,
    updated_ts BIGINT NOT NULL,
    PRIMARY KEY (bridge_id, kind, remote_id),
    KEY bridge_mappings_matrix (bridge_id, kind, matrix_id)
);
