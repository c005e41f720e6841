-- Accounts (spec: Client-Server API, "Account registration and management", "Client authentication",
-- "Device management", "Profiles"). IDs are utf8mb4_bin: Matrix IDs compare byte for byte.

CREATE TABLE users (
    user_id       VARCHAR(255)  NOT NULL PRIMARY KEY,
    -- PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash); NULL: no password login (deactivated, or none set)
    password_hash VARCHAR(255)  NULL,
    created_ts    BIGINT        NOT NULL,
    admin         BOOLEAN       NOT NULL DEFAULT FALSE,
    deactivated   BOOLEAN       NOT NULL DEFAULT FALSE,
    user_type     VARCHAR(64)   NULL,
    displayname   TEXT          NULL,
    avatar_url    TEXT          NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE devices (
    user_id      VARCHAR(255)  NOT NULL,
    device_id    VARCHAR(255)  NOT NULL,
    display_name TEXT          NULL,
    created_ts   BIGINT        NOT NULL,
    last_seen_ts BIGINT        NULL,
    last_seen_ip VARCHAR(64)   NULL,
    PRIMARY KEY (user_id, device_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Only the SHA-256 (hex) of a token is stored: a database leak yields no usable token.
CREATE TABLE access_tokens (
    token_hash  CHAR(64)      NOT NULL PRIMARY KEY,
    user_id     VARCHAR(255)  NOT NULL,
    device_id   VARCHAR(255)  NOT NULL,
    created_ts  BIGINT        NOT NULL,
    expires_ts  BIGINT        NULL,
    KEY access_tokens_device (user_id, device_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Spec "Refreshing access tokens": each refresh token is used once and replaced with its access token.
CREATE TABLE refresh_tokens (
    token_hash        CHAR(64)      NOT NULL PRIMARY KEY,
    user_id           VARCHAR(255)  NOT NULL,
    device_id         VARCHAR(255)  NOT NULL,
    access_token_hash CHAR(64)      NOT NULL,
    created_ts        BIGINT        NOT NULL,
    KEY refresh_tokens_device (user_id, device_id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Spec "Token-authenticated registration"; columns as Synapse's admin API shows them.
CREATE TABLE registration_tokens (
    token        VARCHAR(64)  NOT NULL PRIMARY KEY,
    uses_allowed INT          NULL,
    pending      INT          NOT NULL DEFAULT 0,
    completed    INT          NOT NULL DEFAULT 0,
    expiry_time  BIGINT       NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Spec "User-interactive authentication API": a session survives between requests (and server processes).
CREATE TABLE uia_sessions (
    session_id  VARCHAR(64)   NOT NULL PRIMARY KEY,
    -- what the session authorises (e.g. "register", "password"), and for whom: a session is not reusable for another
    operation   VARCHAR(64)   NOT NULL,
    user_id     VARCHAR(255)  NULL,
    -- JSON array of completed stage types
    completed   TEXT          NOT NULL,
    -- the registration token accepted by m.login.registration_token, counted as pending until used
    registration_token VARCHAR(64) NULL,
    created_ts  BIGINT        NOT NULL,
    KEY uia_sessions_created (created_ts)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
