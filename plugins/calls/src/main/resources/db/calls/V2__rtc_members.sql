CREATE TABLE plugin_calls_rtc_members (
    room_id   VARCHAR(255) NOT NULL,
    state_key VARCHAR(255) NOT NULL,
    user_id   VARCHAR(255) NOT NULL,
    PRIMARY KEY (room_id, state_key)
);
