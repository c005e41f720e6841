-- Spec "Server-side key backups": a user's backup versions. Versions are numbered per user and never reused: a
-- deleted version keeps its row (deleted = TRUE), so deleting it again succeeds and reading it answers 404.
-- etag counts the changes to the version's keys.
CREATE TABLE room_key_versions (
    user_id   VARCHAR(255) NOT NULL,
    version   BIGINT       NOT NULL,
    algorithm VARCHAR(255) NOT NULL,
    auth_data LONGTEXT     NOT NULL,
    etag      BIGINT       NOT NULL DEFAULT 0,
    deleted   BOOLEAN      NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, version)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One backed-up session key; session_data is the client's encrypted object, stored as received.
CREATE TABLE room_keys (
    user_id             VARCHAR(255) NOT NULL,
    version             BIGINT       NOT NULL,
    room_id             VARCHAR(255) NOT NULL,
    session_id          VARCHAR(255) NOT NULL,
    first_message_index BIGINT       NOT NULL,
    forwarded_count     BIGINT       NOT NULL,
    is_verified         BOOLEAN      NOT NULL,
    session_data        LONGTEXT     NOT NULL,
    PRIMARY KEY (user_id, version, room_id, session_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Spec "Reporting content"; the event reports in the shape of Synapse's admin API (score: before v1.18 clients).
CREATE TABLE event_reports (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    received_ts BIGINT       NOT NULL,
    room_id     VARCHAR(255) NOT NULL,
    event_id    VARCHAR(255) NOT NULL,
    -- the reported event's sender, kept for the admin API's sender filter
    sender      VARCHAR(255) NOT NULL,
    -- the reporter
    user_id     VARCHAR(255) NOT NULL,
    reason      TEXT         NULL,
    score       BIGINT       NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE room_reports (
    id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    received_ts BIGINT       NOT NULL,
    room_id     VARCHAR(255) NOT NULL,
    user_id     VARCHAR(255) NOT NULL,
    reason      TEXT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE user_reports (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    received_ts    BIGINT       NOT NULL,
    target_user_id VARCHAR(255) NOT NULL,
    user_id        VARCHAR(255) NOT NULL,
    reason         TEXT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Spec "GET /admin/whois": the user agent beside the last seen address, written as rarely as last_seen_ts.
ALTER TABLE devices ADD COLUMN last_seen_user_agent VARCHAR(512) NULL;

-- Spec "Account locking" (v1.12) and "Account suspension" (v1.13): reversible, unlike deactivation.
ALTER TABLE users ADD COLUMN locked BOOLEAN NOT NULL DEFAULT FALSE, ADD COLUMN suspended BOOLEAN NOT NULL DEFAULT FALSE;
