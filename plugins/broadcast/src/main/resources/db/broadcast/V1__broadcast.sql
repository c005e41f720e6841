-- The list rooms (their state holds name and recipients), indexed by owner.
CREATE TABLE plugin_broadcast_lists (
    room_id VARCHAR(255) NOT NULL PRIMARY KEY,
    owner   VARCHAR(255) NOT NULL,
    INDEX plugin_broadcast_lists_owner (owner)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Each message sent to a list.
CREATE TABLE plugin_broadcast_messages (
    message_id VARCHAR(255) NOT NULL PRIMARY KEY,
    room_id    VARCHAR(255) NOT NULL,
    sent_ts    BIGINT       NOT NULL,
    content    TEXT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Its delivery to each recipient: delivered, sent, pending_client (encrypted DM: the client sends it) or failed.
CREATE TABLE plugin_broadcast_deliveries (
    message_id VARCHAR(255) NOT NULL,
    recipient  VARCHAR(255) NOT NULL,
    dm_room_id VARCHAR(255) NULL,
    status     VARCHAR(32)  NOT NULL,
    event_id   VARCHAR(255) NULL,
    detail     VARCHAR(255) NULL,
    PRIMARY KEY (message_id, recipient),
    INDEX plugin_broadcast_deliveries_room (dm_room_id, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
