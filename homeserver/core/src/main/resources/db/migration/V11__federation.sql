-- Other servers' signing keys (spec: Server-Server API, "Retrieving server keys"), kept past restarts so events
-- signed with keys a server no longer publishes still verify.

-- One row per (server, key): valid_until_ts is when the key stops counting (valid_until_ts of the answer capped
-- at fetch time + 7 days, or expired_ts for an old key).
CREATE TABLE server_verify_keys (
    server_name    VARCHAR(255) NOT NULL,
    key_id         VARCHAR(255) NOT NULL,
    public_key     VARCHAR(64)  NOT NULL,
    valid_until_ts BIGINT       NOT NULL,
    fetched_ts     BIGINT       NOT NULL,
    PRIMARY KEY (server_name, key_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The latest /_matrix/key/v2/server answer of each server, with only the server's own signature: what this
-- server returns as a notary (adding its own signature).
CREATE TABLE server_key_responses (
    server_name    VARCHAR(255) NOT NULL PRIMARY KEY,
    valid_until_ts BIGINT       NOT NULL,
    fetched_ts     BIGINT       NOT NULL,
    json           MEDIUMTEXT   NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
