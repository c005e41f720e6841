package org.hearth.core.account;

import org.hearth.core.storage.Rows;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.util.Optional;
import org.hearth.spec.id.UserId;

final class AccountRepository {
    Optional<Account> find(DbExecute db, UserId user) {
        return db.createNamedGet("account-get").addParam("user_id", user.value()).execute().map(AccountRepository::account);
    }

    Optional<Account> lock(DbExecute tx, UserId user) {
        return tx.createNamedGet("account-get-for-update").addParam("user_id", user.value()).execute().map(AccountRepository::account);
    }

    boolean exists(DbExecute db, UserId user) {
        return db.createNamedGet("account-exists").addParam("user_id", user.value()).execute().isPresent();
    }

    /** False when the user ID is taken (the primary key decides, so concurrent registrations cannot both win). */
    boolean insert(DbExecute tx, UserId user, String passwordHash, long now, boolean admin, String userType, String displayName) {
        try {
            tx.createNamedInsert("account-insert")
                    .addParam("user_id", user.value())
                    .addParam("password_hash", passwordHash)
                    .addParam("created_ts", now)
                    .addParam("admin", admin)
                    .addParam("user_type", userType)
                    .addParam("displayname", displayName)
                    .execute();
            return true;
        } catch (RuntimeException e) {
            if (isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    void setPassword(DbExecute tx, UserId user, String passwordHash) {
        tx.createNamedUpdate("account-set-password").addParam("user_id", user.value()).addParam("password_hash", passwordHash).execute();
    }

    void deactivate(DbExecute tx, UserId user) {
        tx.createNamedUpdate("account-deactivate").addParam("user_id", user.value()).execute();
    }

    static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLIntegrityConstraintViolationException) {
                return true;
            }
            if (t instanceof java.sql.SQLException s && s.getErrorCode() == 1062) {
                return true;
            }
        }
        return false;
    }

    private static Account account(DbRow row) {
        return new Account(UserId.parse(Rows.string(row, "user_id")), Rows.string(row, "password_hash"),
                Rows.longValue(row, "created_ts"), Rows.bool(row, "admin"), Rows.bool(row, "deactivated"),
                Rows.string(row, "user_type"));
    }
}
