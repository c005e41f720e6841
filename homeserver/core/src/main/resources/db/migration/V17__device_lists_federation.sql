-- Device lists over federation (spec: Server-Server "Device Management", "End-to-End Encryption").

-- What this server last announced of each local user in m.device_list_update / m.signing_key_update EDUs:
-- stream_id is the user's latest update ID (the prev_id of the next one); digests tell which devices and which
-- cross-signing keys changed since.
CREATE TABLE device_list_outbound (
    user_id             VARCHAR(255) NOT NULL PRIMARY KEY,
    stream_id           BIGINT       NOT NULL,
    cross_signing_digest VARCHAR(64) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE device_list_outbound_devices (
    user_id   VARCHAR(255) NOT NULL,
    device_id VARCHAR(255) NOT NULL,
    digest    VARCHAR(64)  NOT NULL,
    PRIMARY KEY (user_id, device_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Remote users' device lists as their servers last told: the /user/devices answer (devices keyed by ID, each
-- with keys and device_display_name when known), kept current by m.device_list_update EDUs whose prev_id is
-- stream_id, and by m.signing_key_update. Only for users sharing a room with a local user.
CREATE TABLE remote_device_lists (
    user_id          VARCHAR(255) NOT NULL PRIMARY KEY,
    stream_id        BIGINT       NOT NULL,
    devices          MEDIUMTEXT   NOT NULL,
    master_key       TEXT         NULL,
    self_signing_key TEXT         NULL,
    ts               BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
