package org.hearth.core.storage;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/** The schema, versioned in {@code db/migration} of this module and applied by Flyway at every start. */
public final class Migrations {
    static final String LOCATION = "classpath:db/migration";

    private Migrations() {}

    /** Brings the schema up to date; the history is recorded in {@code flyway_schema_history}. */
    public static MigrateResult apply(DataSource dataSource) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                // A changed migration file means a schema that differs from the recorded history: refuse.
                .validateOnMigrate(true)
                .cleanDisabled(true)
                .load()
                .migrate();
    }
}
