-- One story room per author, with the audience the author chose.
CREATE TABLE plugin_stories_rooms (
    author    VARCHAR(255) NOT NULL PRIMARY KEY,
    room_id   VARCHAR(255) NOT NULL UNIQUE,
    audience  VARCHAR(16)  NOT NULL,
    selected  TEXT         NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Each story (a message of the author in the story room); expired ones are redacted unless highlighted.
CREATE TABLE plugin_stories_stories (
    event_id   VARCHAR(255) NOT NULL PRIMARY KEY,
    room_id    VARCHAR(255) NOT NULL,
    author     VARCHAR(255) NOT NULL,
    position   BIGINT       NOT NULL,
    posted_ts  BIGINT       NOT NULL,
    expires_ts BIGINT       NOT NULL,
    content    TEXT         NOT NULL,
    highlight  BOOLEAN      NOT NULL DEFAULT FALSE,
    expired    BOOLEAN      NOT NULL DEFAULT FALSE,
    INDEX plugin_stories_stories_expiry (expired, expires_ts),
    INDEX plugin_stories_stories_author (author, position)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Stream positions of every event of story rooms: a read receipt on any of them counts as a view of older stories.
CREATE TABLE plugin_stories_events (
    event_id VARCHAR(255) NOT NULL PRIMARY KEY,
    room_id  VARCHAR(255) NOT NULL,
    position BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Users who left or rejected an author's story room: never invited again.
CREATE TABLE plugin_stories_declined (
    author  VARCHAR(255) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    PRIMARY KEY (author, user_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Authors whose stories a user muted.
CREATE TABLE plugin_stories_mutes (
    user_id VARCHAR(255) NOT NULL,
    author  VARCHAR(255) NOT NULL,
    PRIMARY KEY (user_id, author)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
