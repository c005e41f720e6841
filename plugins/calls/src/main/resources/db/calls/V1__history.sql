CREATE TABLE plugin_calls_history (
    room_id        VARCHAR(255) NOT NULL,
    call_id        VARCHAR(255) NOT NULL,
    caller         VARCHAR(255) NOT NULL,
    callee         VARCHAR(255) NULL,
    video          BOOLEAN      NOT NULL,
    started_ts     BIGINT       NOT NULL,
    lifetime_ms    BIGINT       NOT NULL,
    answered_ts    BIGINT       NULL,
    ended_ts       BIGINT       NULL,
    end_reason     VARCHAR(64)  NULL,
    outcome        VARCHAR(16)  NOT NULL,
    PRIMARY KEY (room_id, call_id)
);
CREATE INDEX plugin_calls_history_by_caller ON plugin_calls_history (caller, started_ts);
CREATE INDEX plugin_calls_history_by_callee ON plugin_calls_history (callee, started_ts);
CREATE INDEX plugin_calls_history_ringing ON plugin_calls_history (outcome, started_ts);
