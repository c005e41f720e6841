-- Delayed events (MSC4140): an event a client asked to be sent later, kept here until the server sends it at
-- send_ts (as its owner, with the auth rules of that moment), the owner sends or cancels it, or a later state
-- change by another user to the same (type, state_key) cancels it. Rows outlive restarts: due ones go out at start.
-- processing: claimed by a send in progress (no restart or cancel then); cleared at start so a send cut off by a
-- crash is retried. since_position: the room stream position when it was scheduled; only state events after it
-- cancel it. txn_id: the PUT's transaction ID, so a retried request gets the same delay_id.
CREATE TABLE delayed_events (
    delay_id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    user_id          VARCHAR(255) NOT NULL,
    device_id        VARCHAR(255) NULL,
    txn_id           VARCHAR(255) NULL,
    room_id          VARCHAR(255) NOT NULL,
    event_type       VARCHAR(255) NOT NULL,
    state_key        VARCHAR(255) NULL,
    content          MEDIUMTEXT   NOT NULL,
    origin_server_ts BIGINT       NULL,
    delay_ms         BIGINT       NOT NULL,
    send_ts          BIGINT       NOT NULL,
    since_position   BIGINT       NOT NULL,
    processing       BOOLEAN      NOT NULL DEFAULT FALSE,
    KEY delayed_events_due (processing, send_ts),
    KEY delayed_events_user (user_id, send_ts),
    KEY delayed_events_state (room_id, event_type, state_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
