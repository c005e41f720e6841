-- Rooms, their events (canonical JSON plus indexed columns), the event graph and state snapshots.

CREATE TABLE rooms (
    room_id             VARCHAR(255) NOT NULL PRIMARY KEY,
    room_version        VARCHAR(32)  NOT NULL,
    creator             VARCHAR(255) NOT NULL,
    -- State after the forward extremities: the room's current state.
    current_state_group BIGINT       NOT NULL,
    created_ts          BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- stream_ordering: the global position of an event in the event stream that sync reads.
CREATE TABLE events (
    stream_ordering   BIGINT       NOT NULL PRIMARY KEY,
    event_id          VARCHAR(255) NOT NULL,
    room_id           VARCHAR(255) NOT NULL,
    type              VARCHAR(255) NOT NULL,
    state_key         VARCHAR(255) NULL,
    sender            VARCHAR(255) NOT NULL,
    depth             BIGINT       NOT NULL,
    origin_server_ts  BIGINT       NOT NULL,
    json              MEDIUMTEXT   NOT NULL,
    rejected          BOOLEAN      NOT NULL DEFAULT FALSE,
    soft_failed       BOOLEAN      NOT NULL DEFAULT FALSE,
    redacted_because  VARCHAR(255) NULL,
    -- The state before this event; the state after it is state_group_after.
    state_group       BIGINT       NOT NULL,
    state_group_after BIGINT       NOT NULL,
    -- For unsigned.transaction_id, shown to the sending device only.
    txn_device_id     VARCHAR(255) NULL,
    txn_id            VARCHAR(255) NULL,
    UNIQUE KEY events_event_id (event_id),
    KEY events_room_stream (room_id, stream_ordering)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE event_edges (
    event_id      VARCHAR(255) NOT NULL,
    prev_event_id VARCHAR(255) NOT NULL,
    room_id       VARCHAR(255) NOT NULL,
    PRIMARY KEY (event_id, prev_event_id),
    KEY event_edges_prev (prev_event_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE forward_extremities (
    room_id  VARCHAR(255) NOT NULL,
    event_id VARCHAR(255) NOT NULL,
    PRIMARY KEY (room_id, event_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- A state group is a delta against its parent (NULL: a full snapshot); chain_length bounds the walk.
CREATE TABLE state_groups (
    id           BIGINT       NOT NULL PRIMARY KEY,
    room_id      VARCHAR(255) NOT NULL,
    parent_id    BIGINT       NULL,
    chain_length INT          NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE state_group_entries (
    state_group BIGINT       NOT NULL,
    type        VARCHAR(255) NOT NULL,
    state_key   VARCHAR(255) NOT NULL,
    event_id    VARCHAR(255) NOT NULL,
    PRIMARY KEY (state_group, type, state_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Current membership of each user in each room, kept with the current state; forgotten by /forget.
CREATE TABLE room_memberships (
    room_id         VARCHAR(255) NOT NULL,
    user_id         VARCHAR(255) NOT NULL,
    membership      VARCHAR(32)  NOT NULL,
    event_id        VARCHAR(255) NOT NULL,
    stream_ordering BIGINT       NOT NULL,
    forgotten       BOOLEAN      NOT NULL DEFAULT FALSE,
    PRIMARY KEY (room_id, user_id),
    KEY room_memberships_user (user_id, membership)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE room_aliases (
    room_alias VARCHAR(255) NOT NULL PRIMARY KEY,
    room_id    VARCHAR(255) NOT NULL,
    creator    VARCHAR(255) NOT NULL,
    KEY room_aliases_room (room_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Client transaction IDs (spec: "Transaction identifiers"): scoped to the device and the request path, keyed by
-- SHA-256 of (user, device, scope, txn ID) since the four together exceed InnoDB's key length.
CREATE TABLE event_txns (
    txn_key  BINARY(32)   NOT NULL PRIMARY KEY,
    event_id VARCHAR(255) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
