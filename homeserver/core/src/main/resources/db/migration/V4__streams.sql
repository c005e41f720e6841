-- The streams that feed /sync and are durable: account data, receipts, presence; and stored sync filters.
-- Typing lives in memory (StreamPositions.typing). Each stream's position is a row of stream_positions,
-- advanced in the transaction that writes the stream's data: the row lock is held until commit, so a
-- position becomes visible only after everything at or below it has committed.
CREATE TABLE stream_positions (
    stream   VARCHAR(32) NOT NULL PRIMARY KEY,
    position BIGINT      NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

INSERT INTO stream_positions (stream, position) VALUES ('account_data', 0), ('receipts', 0), ('presence', 0), ('to_device', 0),
    ('device_lists', 0);

-- Global account data has room_id '' (spec: "Client Config"); tags are the room's m.tag.
CREATE TABLE account_data (
    user_id   VARCHAR(255) NOT NULL,
    room_id   VARCHAR(255) NOT NULL,
    type      VARCHAR(255) NOT NULL,
    content   LONGTEXT     NOT NULL,
    stream_id BIGINT       NOT NULL,
    PRIMARY KEY (user_id, room_id, type),
    INDEX account_data_by_position (user_id, stream_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One receipt per (room, type, user, thread); thread_id '' is an unthreaded receipt. Column widths keep the
-- key under InnoDB's 3072 bytes in utf8mb4.
CREATE TABLE receipts (
    room_id      VARCHAR(255) NOT NULL,
    receipt_type VARCHAR(32)  NOT NULL,
    user_id      VARCHAR(255) NOT NULL,
    thread_id    VARCHAR(200) NOT NULL,
    event_id     VARCHAR(255) NOT NULL,
    ts           BIGINT       NOT NULL,
    stream_id    BIGINT       NOT NULL,
    PRIMARY KEY (room_id, receipt_type, user_id, thread_id),
    INDEX receipts_by_room_position (room_id, stream_id),
    INDEX receipts_by_position (stream_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE presence (
    user_id          VARCHAR(255)  NOT NULL PRIMARY KEY,
    state            VARCHAR(16)   NOT NULL,
    status_msg       TEXT          NULL,
    last_active_ts   BIGINT        NOT NULL,
    currently_active BOOLEAN       NOT NULL,
    stream_id        BIGINT        NOT NULL,
    INDEX presence_by_position (stream_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE sync_filters (
    filter_id BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id   VARCHAR(255) NOT NULL,
    content   LONGTEXT     NOT NULL,
    INDEX sync_filters_by_user (user_id, filter_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Send-to-device messages waiting for their device; deleted once a sync's since shows they were received.
CREATE TABLE to_device_messages (
    user_id   VARCHAR(255) NOT NULL,
    device_id VARCHAR(255) NOT NULL,
    stream_id BIGINT       NOT NULL,
    sender    VARCHAR(255) NOT NULL,
    type      VARCHAR(255) NOT NULL,
    content   LONGTEXT     NOT NULL,
    PRIMARY KEY (user_id, device_id, stream_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Transaction IDs of PUT /sendToDevice, per sending device: a retried request is not delivered twice.
CREATE TABLE to_device_txns (
    sender        VARCHAR(255) NOT NULL,
    sender_device VARCHAR(255) NOT NULL,
    txn_id        VARCHAR(255) NOT NULL,
    ts            BIGINT       NOT NULL,
    PRIMARY KEY (sender, sender_device, txn_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- The latest device-list change of each local user (spec: "Tracking the device list for a user").
CREATE TABLE device_list_changes (
    user_id   VARCHAR(255) NOT NULL PRIMARY KEY,
    stream_id BIGINT       NOT NULL,
    INDEX device_list_changes_by_position (stream_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
