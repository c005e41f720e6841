-- Notifications waiting for a push gateway (org.hearth.core.push.PushGatewaySender): one row per (notification,
-- HTTP pusher), deleted once the gateway answers, so a restart resumes where the last run stopped. next_attempt_ts
-- keeps the backoff of a failing gateway across restarts; queued_ts bounds how long one is retried.
CREATE TABLE push_queue (
    id              BIGINT        NOT NULL AUTO_INCREMENT PRIMARY KEY,
    pusher_id       BIGINT        NOT NULL,
    user_id         VARCHAR(255)  NOT NULL,
    room_id         VARCHAR(255)  NOT NULL,
    event_id        VARCHAR(255)  NOT NULL,
    stream_ordering BIGINT        NOT NULL,
    actions         TEXT          NOT NULL,
    highlight       BOOLEAN       NOT NULL,
    queued_ts       BIGINT        NOT NULL,
    attempts        INT           NOT NULL DEFAULT 0,
    next_attempt_ts BIGINT        NOT NULL DEFAULT 0,
    KEY push_queue_by_pusher (pusher_id, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Media of other servers fetched over federation and kept, one row per mxc://<origin>/<media_id>; the bytes are
-- in the content-addressed store beside local media (thumbnails keyed by sha256 like theirs).
CREATE TABLE remote_media (
    origin       VARCHAR(255)   NOT NULL,
    media_id     VARCHAR(255)   NOT NULL,
    content_type VARCHAR(255)   NOT NULL,
    upload_name  VARCHAR(1024)  NULL,
    size_bytes   BIGINT         NOT NULL,
    sha256       CHAR(64)       NOT NULL,
    fetched_ts   BIGINT         NOT NULL,
    PRIMARY KEY (origin, media_id),
    KEY remote_media_sha256 (sha256)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Search restricted to the searcher's rooms inside the FULLTEXT index: each row also carries a token naming its
-- room (room_token, see org.hearth.core.search.SearchIndex.roomToken), indexed with the text, so a query
-- "+word* +(room tokens...)" intersects posting lists in the index instead of fetching every row with a common
-- word and filtering by room afterwards (4-5.8 s for a word in 10% of 1,000,000 messages; bench/RESULTS.md).
SET SESSION innodb_ft_enable_stopword = OFF;
ALTER TABLE event_search ADD COLUMN room_token VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '';
UPDATE event_search SET room_token = CONCAT('zqroom', LEFT(SHA2(room_id, 256), 24));
ALTER TABLE event_search DROP INDEX event_search_value, ADD FULLTEXT INDEX event_search_text (value, room_token);
SET SESSION innodb_ft_enable_stopword = ON;
