-- Relations between events (spec: "Forming relationships between events") and the searchable text of events
-- (spec: "Server Side Search"), both written in the transaction that persists the event and cleared by its
-- redaction.

-- One row per event that declares a well-formed m.relates_to; the parent may be unknown (yet).
CREATE TABLE event_relations (
    event_id         VARCHAR(255) NOT NULL PRIMARY KEY,
    relates_to_id    VARCHAR(255) NOT NULL,
    room_id          VARCHAR(255) NOT NULL,
    rel_type         VARCHAR(255) NOT NULL,
    type             VARCHAR(255) NOT NULL,
    sender           VARCHAR(255) NOT NULL,
    -- The key of an m.annotation, else NULL.
    aggregation_key  VARCHAR(255) NULL,
    stream_ordering  BIGINT       NOT NULL,
    origin_server_ts BIGINT       NOT NULL,
    KEY event_relations_parent (relates_to_id, rel_type, stream_ordering),
    KEY event_relations_threads (room_id, rel_type, relates_to_id, stream_ordering)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One row per searchable key of an event (content.body, content.name, content.topic). utf8mb4_unicode_ci, not
-- the schema's binary collation: a FULLTEXT index on a binary collation matches case-sensitively.
-- InnoDB binds the stopword list to a FULLTEXT index when the index is created: none, so "the" or "who" can be
-- searched for. (Words under innodb_ft_min_token_size, 3 by default, are not indexed; SearchIndex scans for those.)
SET SESSION innodb_ft_enable_stopword = OFF;
CREATE TABLE event_search (
    event_id        VARCHAR(255) NOT NULL,
    search_key      VARCHAR(32)  NOT NULL,
    room_id         VARCHAR(255) NOT NULL,
    sender          VARCHAR(255) NOT NULL,
    type            VARCHAR(255) NOT NULL,
    contains_url    BOOLEAN      NOT NULL,
    stream_ordering BIGINT       NOT NULL,
    value           TEXT         CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL,
    PRIMARY KEY (event_id, search_key),
    KEY event_search_room (room_id, stream_ordering),
    FULLTEXT KEY event_search_value (value)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
SET SESSION innodb_ft_enable_stopword = ON;
