-- Push actions without one row per member per event (issue 10: a 1,016-member room fell to 38.6 events/s on the
-- 999 rows of each message). Each notifying event now writes ONE push_room_actions row with the outcome most of
-- its notified local members share (usually ["notify"] without highlight); event_push_actions keeps a row only
-- for a member whose outcome differs (a mention that highlights, a muted room that does not notify, an invitee
-- who is not joined yet). A member's notifications are the room rows of the rooms they are joined to, after they
-- joined and not sent by them, without those they have an exception for, plus their own notifying exceptions.
-- Unread means after the member's read position in push_read_positions (thread_id '' for unthreaded receipts,
-- which count for every thread; else the thread's own), kept by receipts instead of flags on every row.
CREATE TABLE push_room_actions (
    room_id         VARCHAR(255) NOT NULL,
    stream_ordering BIGINT       NOT NULL,
    thread_id       VARCHAR(255) NOT NULL,
    sender          VARCHAR(255) NOT NULL,
    highlight       BOOLEAN      NOT NULL,
    actions         TEXT         NULL,
    PRIMARY KEY (room_id, stream_ordering)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- joined_from and left_at (on the '' row) bound the member's last stay in the room: room rows outside it are not
-- theirs (left_at NULL while joined).
CREATE TABLE push_read_positions (
    user_id     VARCHAR(255) NOT NULL,
    room_id     VARCHAR(255) NOT NULL,
    thread_id   VARCHAR(255) NOT NULL,
    read_upto   BIGINT       NOT NULL,
    joined_from BIGINT       NOT NULL DEFAULT 0,
    left_at     BIGINT       NULL,
    PRIMARY KEY (user_id, room_id, thread_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Existing rows stay as per-member rows; what was read becomes the read position of its thread.
INSERT INTO push_read_positions (user_id, room_id, thread_id, read_upto)
SELECT user_id, room_id, thread_id, MAX(stream_ordering) FROM event_push_actions WHERE unread = FALSE
GROUP BY user_id, room_id, thread_id;

INSERT IGNORE INTO push_read_positions (user_id, room_id, thread_id, read_upto)
SELECT user_id, room_id, '', 0 FROM room_memberships WHERE membership = 'join';

-- notifies FALSE: the member is not notified by an event whose room row says otherwise.
ALTER TABLE event_push_actions
    ADD COLUMN notifies BOOLEAN NOT NULL DEFAULT TRUE,
    DROP INDEX event_push_actions_unread,
    DROP COLUMN unread,
    ADD INDEX event_push_actions_room (user_id, room_id, thread_id, stream_ordering);
