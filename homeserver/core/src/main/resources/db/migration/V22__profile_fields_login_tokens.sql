-- Spec v1.16 custom profile fields (m.tz, org.example.*). displayname and avatar_url stay on users: member events
-- and the user directory read them there.
CREATE TABLE profile_fields (
    user_id    VARCHAR(255)  NOT NULL,
    field_key  VARCHAR(255)  NOT NULL,
    -- the field's value as JSON text (any JSON type)
    value_json MEDIUMTEXT    NOT NULL,
    PRIMARY KEY (user_id, field_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Spec "POST /login/get_token": single-use, short-lived m.login.token tokens, stored as SHA-256 like access tokens.
CREATE TABLE login_tokens (
    token_hash VARCHAR(64)   NOT NULL PRIMARY KEY,
    user_id    VARCHAR(255)  NOT NULL,
    expires_ts BIGINT        NOT NULL,
    KEY login_tokens_expires (expires_ts)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
