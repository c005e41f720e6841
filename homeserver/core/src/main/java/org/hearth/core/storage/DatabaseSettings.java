package org.hearth.core.storage;

import java.util.Objects;

/** Where the database is: a plain JDBC URL used as given ({@code jdbc:mariadb://host:port/name}). */
public record DatabaseSettings(String jdbcUrl, String user, String password, int poolSize) {
    public DatabaseSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:mariadb:") && !jdbcUrl.startsWith("jdbc:mysql:")) {
            throw new IllegalArgumentException("database url must be a jdbc:mariadb:// URL, got " + jdbcUrl);
        }
        if (poolSize < 1) {
            throw new IllegalArgumentException("database pool size must be at least 1, got " + poolSize);
        }
        user = user == null ? "" : user;
        password = password == null ? "" : password;
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + jdbcUrl + ", user=" + user + "]"; // never the password
    }
}
