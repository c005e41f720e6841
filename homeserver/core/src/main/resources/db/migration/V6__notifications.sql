-- Push actions (spec: "Push Rules", "Receiving notifications"): one row per notifying event and local user it
-- notifies, written in the transaction that persists the event, so a /sync that sees the event sees its count.
-- unread turns FALSE when the user's read receipt (m.read or m.read.private) reaches the event: threaded
-- receipts for their thread only, unthreaded ones for every thread. thread_id is 'main' outside threads.
-- A message to a 1,000-member room writes 999 rows, so the row is kept slim: the event ID and timestamp are the
-- events row's (same stream_ordering), actions is NULL for the commonest ["notify"], and there is one secondary
-- index (measured: dropping an event_id index and two columns made the insert ~40% cheaper).
CREATE TABLE event_push_actions (
    user_id         VARCHAR(255) NOT NULL,
    stream_ordering BIGINT       NOT NULL,
    room_id         VARCHAR(255) NOT NULL,
    thread_id       VARCHAR(255) NOT NULL,
    highlight       BOOLEAN      NOT NULL,
    unread          BOOLEAN      NOT NULL,
    actions         TEXT         NULL,
    PRIMARY KEY (user_id, stream_ordering),
    INDEX event_push_actions_unread (user_id, unread, room_id, thread_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Pushers (spec: "POST /pushers/set"): unique per user, app_id and pushkey. A pushkey may be 512 bytes, too long
-- for a key beside the user ID in utf8mb4, so the key holds its SHA-256. device_id is the device whose access
-- token set it: deleting the device deletes its pushers, as Synapse does.
CREATE TABLE pushers (
    id                  BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id             VARCHAR(255)  NOT NULL,
    device_id           VARCHAR(255)  NULL,
    kind                VARCHAR(32)   NOT NULL,
    app_id              VARCHAR(64)   NOT NULL,
    pushkey             VARCHAR(512)  NOT NULL,
    pushkey_sha256      CHAR(64)      CHARACTER SET ascii NOT NULL,
    app_display_name    TEXT          NOT NULL,
    device_display_name TEXT          NOT NULL,
    profile_tag         TEXT          NULL,
    lang                VARCHAR(255)  NOT NULL,
    data                TEXT          NOT NULL,
    pushkey_ts          BIGINT        NOT NULL,
    UNIQUE KEY pushers_key (user_id, app_id, pushkey_sha256),
    INDEX pushers_by_pushkey (app_id, pushkey_sha256)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
