-- Plugins' own key-value storage (org.hearth.plugin.api.KeyValueStore), one namespace per plugin ID.
CREATE TABLE plugin_store (
    plugin_id VARCHAR(255) NOT NULL,
    store_key VARCHAR(255) NOT NULL,
    value     LONGTEXT     NOT NULL,
    PRIMARY KEY (plugin_id, store_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

