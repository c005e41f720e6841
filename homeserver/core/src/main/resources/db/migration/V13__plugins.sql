-- Plugins' own key-value storage (org.hearth.plugin.api.KeyValueStore), one namespace per plugin ID.
CREATE TABLE plugin_store (
    plugin_id VARCHAR(255) NOT NULL,
    store_key VARCHAR(255) NOT NULL,
    value     LONGTEXT     NOT NULL,
    PRIMARY KEY (plugin_id, store_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;


-- The last event stream position each plugin's observers returned from: delivery resumes after it.
CREATE TABLE plugin_positions (
    plugin_id VARCHAR(255) NOT NULL PRIMARY KEY,
    position  BIGINT       NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
