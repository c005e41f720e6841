-- Spec "OpenID": tokens a user hands to a third party, which asks this server (federation /openid/userinfo) whose
-- they are. Stored as digests, like access tokens; expired rows are deleted when new tokens are issued.
CREATE TABLE openid_tokens (
    token_digest VARCHAR(64)  NOT NULL PRIMARY KEY,
    user_id      VARCHAR(255) NOT NULL,
    expires_ts   BIGINT       NOT NULL,
    INDEX openid_tokens_expiry (expires_ts)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
