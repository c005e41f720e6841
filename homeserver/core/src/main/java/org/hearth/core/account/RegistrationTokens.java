package org.hearth.core.account;

import org.hearth.core.storage.Rows;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/** Registration tokens: their validity for registering, and the admin operations on them. */
public final class RegistrationTokens {
    // Spec: opaque identifier grammar, at most 64 characters.
    static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~-]{1,64}");

    private final Database database;
    private final Clock clock;

    public RegistrationTokens(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** Spec "GET /register/m.login.registration_token/validity". */
    public boolean valid(String token) {
        return valid(database.execute(), token);
    }

    boolean valid(DbExecute db, String token) {
        return find(db, token).filter(t -> t.validAt(clock.millis())).isPresent();
    }

    /** Whether any token exists: then registration offers the m.login.registration_token flow. */
    public boolean any() {
        return database.execute().createNamedGet("regtoken-any").execute().isPresent();
    }

    /** Counts the token as pending if it still has a use left; false otherwise. */
    boolean reserve(DbExecute tx, String token) {
        Optional<RegistrationToken> t = tx.createNamedGet("regtoken-get-for-update").addParam("token", token).execute()
                .map(RegistrationTokens::token);
        if (t.isEmpty() || !t.get().validAt(clock.millis())) {
            return false;
        }
        addPending(tx, token, 1);
        return true;
    }

    void release(DbExecute tx, String token) {
        addPending(tx, token, -1);
    }

    /** The registration that reserved the token completed: pending becomes completed. */
    void complete(DbExecute tx, String token) {
        tx.createNamedUpdate("regtoken-complete").addParam("token", token).execute();
    }

    private static void addPending(DbExecute tx, String token, int delta) {
        tx.createNamedUpdate("regtoken-add-pending").addParam("token", token).addParam("delta", delta).execute();
    }

    public List<RegistrationToken> list(Boolean valid) {
        long now = clock.millis();
        return database.execute().createNamedQuery("regtoken-list").execute().map(RegistrationTokens::token)
                .filter(t -> valid == null || t.validAt(now) == valid).toList();
    }

    public Optional<RegistrationToken> find(String token) {
        return find(database.execute(), token);
    }

    private static Optional<RegistrationToken> find(DbExecute db, String token) {
        return db.createNamedGet("regtoken-get").addParam("token", token).execute().map(RegistrationTokens::token);
    }

    /**
     * Creates a token; {@code token} null: a random one of {@code length} characters. M_INVALID_PARAM for a bad
     * token, length, use count or an expiry in the past; 400 M_INVALID_PARAM too when the token exists (as Synapse).
     */
    public RegistrationToken create(String token, Integer usesAllowed, Long expiryTime, Integer length) {
        checkLimits(usesAllowed, expiryTime);
        if (token != null && !TOKEN.matcher(token).matches()) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "token must be 1 to 64 characters of [A-Za-z0-9._~-]");
        }
        if (token != null && length != null) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "give token or length, not both");
        }
        int len = length == null ? 16 : length;
        if (len < 1 || len > 64) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "length must be from 1 to 64");
        }
        for (int attempt = 0; ; attempt++) {
            String candidate = token != null ? token : Tokens.registrationToken(len);
            try {
                database.transaction(tx -> tx.createNamedInsert("regtoken-insert").addParam("token", candidate)
                        .addParam("uses_allowed", usesAllowed).addParam("expiry_time", expiryTime).execute());
                return new RegistrationToken(candidate, usesAllowed, 0, 0, expiryTime);
            } catch (RuntimeException e) {
                if (!AccountRepository.isDuplicateKey(e)) {
                    throw e;
                }
                if (token != null || attempt >= 3) {
                    throw new MatrixException(ErrorCode.INVALID_PARAM, "Token already exists");
                }
            }
        }
    }

    /** M_NOT_FOUND for an unknown token. */
    public RegistrationToken update(String token, Optional<Integer> usesAllowed, Optional<Long> expiryTime,
                                    boolean setUses, boolean setExpiry) {
        return database.transaction(tx -> {
            RegistrationToken t = tx.createNamedGet("regtoken-get-for-update").addParam("token", token).execute()
                    .map(RegistrationTokens::token)
                    .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No such registration token: " + token));
            Integer uses = setUses ? usesAllowed.orElse(null) : t.usesAllowed();
            Long expiry = setExpiry ? expiryTime.orElse(null) : t.expiryTime();
            checkLimits(setUses ? uses : null, setExpiry ? expiry : null);
            tx.createNamedUpdate("regtoken-update").addParam("token", token).addParam("uses_allowed", uses)
                    .addParam("expiry_time", expiry).execute();
            return new RegistrationToken(token, uses, t.pending(), t.completed(), expiry);
        });
    }

    public void delete(String token) {
        long n = database.execute().createNamedDelete("regtoken-delete").addParam("token", token).execute();
        if (n == 0) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "No such registration token: " + token);
        }
    }

    private void checkLimits(Integer usesAllowed, Long expiryTime) {
        if (usesAllowed != null && usesAllowed < 0) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "uses_allowed must be a non-negative integer or null");
        }
        if (expiryTime != null && expiryTime < clock.millis()) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "expiry_time must not be in the past");
        }
    }

    private static RegistrationToken token(DbRow r) {
        Long uses = Rows.nullableLong(r, "uses_allowed");
        return new RegistrationToken(Rows.string(r, "token"), uses == null ? null : uses.intValue(),
                (int) Rows.longValue(r, "pending"), (int) Rows.longValue(r, "completed"), Rows.nullableLong(r, "expiry_time"));
    }
}
