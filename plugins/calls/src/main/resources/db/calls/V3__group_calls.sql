-- Group calls (MatrixRTC): one row per call, from the first call membership in a room to the last one leaving.
CREATE TABLE plugin_calls_group (
    call_id    VARCHAR(255) NOT NULL,
    room_id    VARCHAR(255) NOT NULL,
    caller     VARCHAR(255) NOT NULL,
    video      BOOLEAN      NOT NULL,
    started_ts BIGINT       NOT NULL,
    ended_ts   BIGINT       NULL,
    PRIMARY KEY (call_id)
);
CREATE INDEX plugin_calls_group_open ON plugin_calls_group (room_id, ended_ts);
-- One row per user and call: joined_ts NULL is a missed call (a DM's other member who never joined).
CREATE TABLE plugin_calls_group_members (
    call_id   VARCHAR(255) NOT NULL,
    user_id   VARCHAR(255) NOT NULL,
    joined_ts BIGINT       NULL,
    left_ts   BIGINT       NULL,
    PRIMARY KEY (call_id, user_id)
);
CREATE INDEX plugin_calls_group_members_by_user ON plugin_calls_group_members (user_id);
