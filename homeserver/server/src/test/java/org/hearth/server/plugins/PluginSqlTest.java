package org.hearth.server.plugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PluginSqlTest {
    private static final String P = "plugin_st_";

    @Test
    void thePrefixFoldsTheIdToATableName() {
        assertEquals("plugin_my_plugin_2_", PluginSql.prefix("My-plugin.2"));
    }

    @Test
    void tableNamesAfterTheirKeywords() {
        assertEquals(List.of("plugin_st_a", "plugin_st_b", "plugin_st_c"), PluginSql.tables(
                "SELECT x FROM plugin_st_a JOIN `plugin_st_b` ON a.id = b.id WHERE y IN (SELECT z FROM plugin_st_c)"));
        assertEquals(List.of("plugin_st_a"), PluginSql.tables(
                "INSERT INTO plugin_st_a (k) VALUES ('from users') ON DUPLICATE KEY UPDATE k = VALUES(k)"));
        assertEquals(List.of("plugin_st_i"), PluginSql.tables("CREATE INDEX plugin_st_ix ON plugin_st_i (k)"));
        assertEquals(List.of("plugin_st_t"), PluginSql.tables("CREATE TABLE IF NOT EXISTS plugin_st_t (id INT) -- FROM accounts"));
    }

    @Test
    void statementsOutsideThePrefixOrSeveralAtOnceAreRefused() {
        assertNull(PluginSql.refusal("UPDATE plugin_st_a SET v = ? WHERE k = ?", P, true));
        assertTrue(PluginSql.refusal("SELECT * FROM accounts", P, true).contains("accounts"));
        assertTrue(PluginSql.refusal("DELETE FROM plugin_st_a; DROP TABLE events", P, true).contains("one statement"));
        assertTrue(PluginSql.refusal("SELECT * FROM otherdb.plugin_st_a", P, true).contains("otherdb"));
        assertTrue(PluginSql.refusal("CREATE TABLE plugin_st_a (id INT REFERENCES events (id))", P, false).contains("events"));
        assertNull(PluginSql.refusal("CREATE TABLE plugin_st_a (id INT);\nCREATE TABLE plugin_st_b (id INT);", P, false));
    }
}
