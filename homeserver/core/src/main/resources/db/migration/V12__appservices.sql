-- Application services: what each has been sent, and its published room directory entries.

-- How far each appservice's queue has read the event stream: events above it are not in a transaction yet.
CREATE TABLE appservice_stream (
    appservice_id VARCHAR(255) NOT NULL PRIMARY KEY,
    event_position BIGINT NOT NULL,
    last_txn_id BIGINT NOT NULL
);

-- Transactions built and not yet acknowledged; the body is frozen when built, so a retry resends it unchanged.
CREATE TABLE appservice_txns (
    appservice_id VARCHAR(255) NOT NULL,
    txn_id BIGINT NOT NULL,
    body LONGTEXT NOT NULL,
    created_ts BIGINT NOT NULL,
    PRIMARY KEY (appservice_id, txn_id)
);

-- PUT /directory/list/appservice/{networkId}/{roomId}.
CREATE TABLE appservice_room_list (
    appservice_id VARCHAR(255) NOT NULL,
    network_id VARCHAR(255) NOT NULL,
    room_id VARCHAR(255) NOT NULL,
    PRIMARY KEY (appservice_id, network_id, room_id)
);
