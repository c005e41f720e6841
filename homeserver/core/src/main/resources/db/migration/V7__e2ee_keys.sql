-- End-to-end encryption keys of local devices and users (spec: "End-to-End Encryption", "Key Distribution",
-- "Cross-signing"). JSON columns hold the objects as uploaded (canonical JSON); signatures uploaded later
-- through /keys/signatures/upload live in e2e_signatures and are merged when the keys are read.
-- Key widths keep every index under InnoDB's 3072 bytes in utf8mb4.

CREATE TABLE e2e_device_keys (
    user_id   VARCHAR(255) NOT NULL,
    device_id VARCHAR(255) NOT NULL,
    key_json  TEXT         NOT NULL,
    ts        BIGINT       NOT NULL,
    PRIMARY KEY (user_id, device_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- id orders the keys as uploaded: /keys/claim gives out the oldest first (spec: "POST /keys/claim").
CREATE TABLE e2e_one_time_keys (
    id        BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    user_id   VARCHAR(255) NOT NULL,
    device_id VARCHAR(255) NOT NULL,
    algorithm VARCHAR(64)  NOT NULL,
    key_id    VARCHAR(128) NOT NULL,
    key_json  TEXT         NOT NULL,
    UNIQUE KEY e2e_one_time_keys_key (user_id, device_id, algorithm, key_id),
    KEY e2e_one_time_keys_claim (user_id, device_id, algorithm, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- One fallback key per device and algorithm; used once it was handed out by /keys/claim.
CREATE TABLE e2e_fallback_keys (
    user_id   VARCHAR(255) NOT NULL,
    device_id VARCHAR(255) NOT NULL,
    algorithm VARCHAR(64)  NOT NULL,
    key_id    VARCHAR(128) NOT NULL,
    key_json  TEXT         NOT NULL,
    used      BOOLEAN      NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, device_id, algorithm)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- key_type: master, self_signing or user_signing.
CREATE TABLE e2e_cross_signing_keys (
    user_id    VARCHAR(255) NOT NULL,
    key_type   VARCHAR(16)  NOT NULL,
    key_json   TEXT         NOT NULL,
    public_key VARCHAR(64)  NOT NULL,
    ts         BIGINT       NOT NULL,
    PRIMARY KEY (user_id, key_type)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- A signature by signer_id's key signer_key_id of target_user_id's device or master key (target_key_id: the
-- device ID, or the master key's public key).
CREATE TABLE e2e_signatures (
    id             BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    signer_id      VARCHAR(255) NOT NULL,
    signer_key_id  VARCHAR(255) NOT NULL,
    target_user_id VARCHAR(255) NOT NULL,
    target_key_id  VARCHAR(255) NOT NULL,
    signature      VARCHAR(255) NOT NULL,
    KEY e2e_signatures_target (target_user_id, target_key_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Users whose keys signer_id signed with their user-signing key, and the user-signing key changes of
-- signer_id itself: only signer_id sees these in device_lists.changed (spec: only the user sees their USK).
CREATE TABLE e2e_signature_changes (
    viewer_id VARCHAR(255) NOT NULL,
    user_id   VARCHAR(255) NOT NULL,
    stream_id BIGINT       NOT NULL,
    PRIMARY KEY (viewer_id, user_id),
    KEY e2e_signature_changes_by_position (viewer_id, stream_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
