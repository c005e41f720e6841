-- The server this database belongs to: one row, checked at every start (ServerMetadata.claim).
CREATE TABLE server_metadata (
    id          TINYINT UNSIGNED NOT NULL PRIMARY KEY,
    server_name VARCHAR(255)     NOT NULL,
    created_ts  BIGINT           NOT NULL,
    CONSTRAINT server_metadata_single_row CHECK (id = 1)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
