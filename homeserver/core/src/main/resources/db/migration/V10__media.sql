-- The content repository (spec: Client-Server API, "Content repository"). Files live on disk under media_dir,
-- named by the SHA-256 of their bytes, so identical uploads share one file; these rows are the metadata.

-- One row per mxc://<our server>/<media_id>. A row from POST /media/v1/create has no content yet (sha256 NULL)
-- until its PUT; unused_expires_ts bounds how long it may wait.
CREATE TABLE media (
    media_id          VARCHAR(64)    NOT NULL PRIMARY KEY,
    uploader          VARCHAR(255)   NOT NULL,
    content_type      VARCHAR(255)   NULL,
    upload_name       VARCHAR(1024)  NULL,
    size_bytes        BIGINT         NULL,
    sha256            CHAR(64)       NULL,
    created_ts        BIGINT         NOT NULL,
    uploaded_ts       BIGINT         NULL,
    unused_expires_ts BIGINT         NULL,
    -- Served only on the authenticated /_matrix/client/v1/media endpoints (Synapse's enable_authenticated_media).
    authenticated     BOOLEAN        NOT NULL,
    KEY media_uploader (uploader, created_ts),
    KEY media_sha256 (sha256)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Thumbnails belong to content, not to a media ID: one per (content, size, method, type).
CREATE TABLE media_thumbnails (
    sha256       CHAR(64)     NOT NULL,
    width        INT          NOT NULL,
    height       INT          NOT NULL,
    method       VARCHAR(8)   NOT NULL,
    content_type VARCHAR(32)  NOT NULL,
    size_bytes   BIGINT       NOT NULL,
    created_ts   BIGINT       NOT NULL,
    PRIMARY KEY (sha256, width, height, method, content_type)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
