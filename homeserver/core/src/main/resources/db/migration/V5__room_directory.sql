-- Spec "Published room directory" (/publicRooms, /directory/list/room): a room is public while it has a row.
CREATE TABLE room_directory (
    room_id      VARCHAR(255) NOT NULL PRIMARY KEY,
    published_ts BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Rooms whose members every local user may find in /user_directory/search (join rule public or history
-- world_readable, as Synapse's users_in_public_rooms). Derived from current state: UserDirectory brings it in
-- step before each search, so the search itself is one indexed query.
CREATE TABLE user_directory_public_rooms (
    room_id VARCHAR(255) NOT NULL PRIMARY KEY
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- /timestamp_to_event: the closest event of a room to a time.
CREATE INDEX events_room_ts ON events (room_id, origin_server_ts);
