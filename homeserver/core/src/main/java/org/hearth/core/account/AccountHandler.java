package org.hearth.core.account;

import jakarta.json.JsonObject;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.port.ProfileChanges;
import org.hearth.core.ratelimit.RateLimited;
import org.hearth.core.ratelimit.RateLimiter;
import org.hearth.core.storage.Database;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/**
 * Spec "Account registration and management" and "Login": creating accounts, logging in and out, changing the
 * password, deactivating. Each operation is one transaction; password hashing happens before it.
 */
public final class AccountHandler {
    // Synapse's limit; far above any real password, and it bounds the hashing work an attacker can ask for.
    static final int MAX_PASSWORD_LENGTH = 512;

    private final Database database;
    private final Clock clock;
    private final ServerName serverName;
    private final PasswordHasher hasher;
    private final AccessTokens tokens;
    private final UserInteractiveAuth uia;
    private final RegistrationTokens registrationTokens;
    private final boolean registrationOpen;
    private final Supplier<ProfileChanges> profileChanges;
    private final Supplier<DeviceChanges> deviceChanges;
    private final Limits limits;
    private final AccountRepository accounts = new AccountRepository();
    private final DeviceRepository devices = new DeviceRepository();
    private final LoginTokens loginTokens = new LoginTokens();

    public AccountHandler(Database database, Clock clock, ServerName serverName, PasswordHasher hasher, AccessTokens tokens,
                          UserInteractiveAuth uia, RegistrationTokens registrationTokens, boolean registrationOpen,
                          Supplier<ProfileChanges> profileChanges, Supplier<DeviceChanges> deviceChanges, Limits limits) {
        this.database = database;
        this.clock = clock;
        this.serverName = serverName;
        this.hasher = hasher;
        this.tokens = tokens;
        this.uia = uia;
        this.registrationTokens = registrationTokens;
        this.registrationOpen = registrationOpen;
        this.profileChanges = profileChanges;
        this.deviceChanges = deviceChanges;
        this.limits = limits;
    }

    /**
     * Synapse's default rate limits (rc_login, rc_registration): 0.17 actions a second, bursts of 3; per client
     * address for logins and registrations, per account for failed logins (checked before the password, so a
     * 429 never tells whether a guess was right).
     */
    public record Limits(RateLimiter loginPerAddress, RateLimiter failedLoginPerAccount, RateLimiter registrationPerAddress,
                         RateLimiter loginTokenPerUser) {
        public static Limits synapseDefaults(boolean enabled) {
            // Login tokens: the spec suggests at most one a minute.
            return new Limits(new RateLimiter(0.17, 3, enabled), new RateLimiter(0.17, 3, enabled),
                    new RateLimiter(0.17, 3, enabled), new RateLimiter(1.0 / 60, 1, enabled));
        }
    }

    public ServerName serverName() {
        return serverName;
    }

    /** The body of {@code POST /register}, validated. */
    public record Registration(Optional<String> username, Optional<String> password, Optional<String> deviceId,
                               Optional<String> initialDeviceDisplayName, boolean inhibitLogin, boolean refreshToken) {}

    /** The flows /register offers now; {@code M_FORBIDDEN} when registration is closed. */
    public UiaFlows registrationFlows() {
        List<List<String>> flows = new ArrayList<>();
        if (registrationOpen) {
            flows.add(List.of(UiaFlows.DUMMY));
        }
        if (registrationTokens.any()) {
            flows.add(List.of(UiaFlows.REGISTRATION_TOKEN));
        }
        if (flows.isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Registration has been disabled");
        }
        return new UiaFlows(flows);
    }

    /** Spec "POST /register" (kind user): parameters are checked before the UIA stages, as Synapse does. */
    public LoginResult register(Registration r, JsonObject auth, String ip) {
        UiaFlows flows = registrationFlows();
        UserId user = r.username().map(u -> Usernames.forRegistration(u, serverName)).orElse(null);
        if (user != null && accounts.exists(database.execute(), user)) {
            throw new MatrixException(ErrorCode.USER_IN_USE, "User ID already taken");
        }
        r.password().ifPresent(AccountHandler::checkPassword);
        r.deviceId().ifPresent(AccountHandler::checkDeviceId);
        UserInteractiveAuth.Completed done = uia.authenticate("register", null, flows, auth);
        limits.registrationPerAddress().acquire(ip);
        String hash = r.password().map(hasher::hash).orElse(null);
        if (user == null) {
            user = generatedUser();
        }
        UserId created = user;
        LoginResult result = database.transaction(tx -> {
            if (!accounts.insert(tx, created, hash, clock.millis(), false, null, created.localpart())) {
                throw new MatrixException(ErrorCode.USER_IN_USE, "User ID already taken");
            }
            if (done.registrationToken() != null) {
                registrationTokens.complete(tx, done.registrationToken());
            }
            uia.finish(tx, done);
            if (r.inhibitLogin()) {
                return new LoginResult(created, null, null, null, null);
            }
            String deviceId = r.deviceId().orElseGet(Tokens::deviceId);
            devices.upsert(tx, created, deviceId, r.initialDeviceDisplayName().orElse(null), clock.millis(), ip);
            return tokens.issue(tx, created, deviceId, r.refreshToken());
        });
        profileChanges.get().profileChanged(created, created.localpart(), null);
        if (!r.inhibitLogin()) {
            deviceChanges.get().devicesChanged(created);
        }
        return result;
    }

    /**
     * Synapse's shared-secret registration (the caller has checked the MAC). {@code M_USER_IN_USE} when taken,
     * {@code M_INVALID_USERNAME} for a bad name; logs the new user in on a new device.
     */
    public LoginResult registerAdministratively(String username, String password, boolean admin, String userType,
                                                String displayName) {
        UserId user = Usernames.forRegistration(username, serverName);
        checkPassword(password);
        String hash = hasher.hash(password);
        String name = displayName != null ? displayName : user.localpart();
        LoginResult result = database.transaction(tx -> {
            if (!accounts.insert(tx, user, hash, clock.millis(), admin, userType, name)) {
                throw new MatrixException(ErrorCode.USER_IN_USE, "User ID already taken");
            }
            String deviceId = Tokens.deviceId();
            devices.upsert(tx, user, deviceId, null, clock.millis(), null);
            return tokens.issue(tx, user, deviceId, false);
        });
        profileChanges.get().profileChanged(user, name, null);
        deviceChanges.get().devicesChanged(user);
        return result;
    }

    /**
     * Registration by an application service ({@code m.login.application_service}): no UIA and no password; the
     * caller has checked that {@code user} is in the appservice's namespace. Logs in unless inhibited.
     */
    public LoginResult registerForAppService(UserId user, Registration r, String ip) {
        r.deviceId().ifPresent(AccountHandler::checkDeviceId);
        LoginResult result = database.transaction(tx -> {
            if (!accounts.insert(tx, user, null, clock.millis(), false, null, user.localpart())) {
                throw new MatrixException(ErrorCode.USER_IN_USE, "User ID already taken");
            }
            if (r.inhibitLogin()) {
                return new LoginResult(user, null, null, null, null);
            }
            String deviceId = r.deviceId().orElseGet(Tokens::deviceId);
            devices.upsert(tx, user, deviceId, r.initialDeviceDisplayName().orElse(null), clock.millis(), ip);
            return tokens.issue(tx, user, deviceId, r.refreshToken());
        });
        profileChanges.get().profileChanged(user, user.localpart(), null);
        if (!r.inhibitLogin()) {
            deviceChanges.get().devicesChanged(user);
        }
        return result;
    }

    /** The appservice's sender exists from the start, so it can act (join, send) before registering itself. */
    public void ensureExists(UserId user) {
        if (accounts.exists(database.execute(), user)) {
            return;
        }
        database.transaction(tx -> accounts.insert(tx, user, null, clock.millis(), false, null, user.localpart()));
    }

    /**
     * Login by an application service ({@code m.login.application_service}) as an existing user of its namespace
     * (checked by the caller): a new device and token, no password.
     */
    public LoginResult loginForAppService(UserId user, Optional<String> deviceId, Optional<String> displayName,
                                          boolean refreshToken, String ip) {
        Optional<Account> account = accounts.find(database.execute(), user);
        if (account.isEmpty()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Invalid username or password");
        }
        if (account.get().deactivated()) {
            throw new MatrixException(ErrorCode.USER_DEACTIVATED, "This account has been deactivated");
        }
        deviceId.ifPresent(AccountHandler::checkDeviceId);
        List<String> replaced = new ArrayList<>();
        LoginResult result = database.transaction(tx -> {
            String device = deviceId.orElseGet(Tokens::deviceId);
            replaced.addAll(devices.tokensOf(tx, user, device));
            devices.deleteTokens(tx, user, device);
            devices.upsert(tx, user, device, displayName.orElse(null), clock.millis(), ip);
            return tokens.issue(tx, user, device, refreshToken);
        });
        tokens.forget(replaced);
        deviceChanges.get().devicesChanged(user);
        return result;
    }

    /** Spec "GET /register/available": {@code M_USER_IN_USE} when taken, {@code M_INVALID_USERNAME} when invalid. */
    public void checkAvailable(String username) {
        UserId user = Usernames.forRegistration(username, serverName);
        if (accounts.exists(database.execute(), user)) {
            throw new MatrixException(ErrorCode.USER_IN_USE, "User ID already taken");
        }
    }

    /** The body of {@code POST /login} with {@code m.login.password}. */
    public record PasswordLogin(UserId user, String password, Optional<String> deviceId,
                                Optional<String> initialDeviceDisplayName, boolean refreshToken) {}

    /** Spec "POST /login": {@code M_FORBIDDEN} for an unknown user, a wrong password or a deactivated account. */
    public LoginResult login(PasswordLogin login, String ip) {
        limits.loginPerAddress().acquire(ip);
        limits.failedLoginPerAccount().check(login.user().value());
        Optional<Account> account = login.user().domain().equals(serverName.value())
                ? accounts.find(database.execute(), login.user()) : Optional.empty();
        // The same answer for "no such user" and "wrong password": logins must not reveal which users exist.
        if (account.isEmpty() || !PasswordHasher.verify(login.password(), account.get().passwordHash())) {
            try {
                limits.failedLoginPerAccount().acquire(login.user().value());
            } catch (RateLimited ignored) {
                // already counted as limited; the answer stays "wrong password" for this attempt
            }
            throw new MatrixException(ErrorCode.FORBIDDEN, "Invalid username or password");
        }
        if (account.get().deactivated()) {
            throw new MatrixException(ErrorCode.USER_DEACTIVATED, "This account has been deactivated");
        }
        login.deviceId().ifPresent(AccountHandler::checkDeviceId);
        UserId user = account.get().userId();
        String rehash = hasher.outdated(account.get().passwordHash()) ? hasher.hash(login.password()) : null;
        List<String> replaced = new ArrayList<>();
        LoginResult result = database.transaction(tx -> {
            String deviceId = login.deviceId().orElseGet(Tokens::deviceId);
            // Spec: logging in with an existing device ID invalidates the device's previous access tokens.
            replaced.addAll(devices.tokensOf(tx, user, deviceId));
            devices.deleteTokens(tx, user, deviceId);
            devices.upsert(tx, user, deviceId, login.initialDeviceDisplayName().orElse(null), clock.millis(), ip);
            if (rehash != null) {
                accounts.setPassword(tx, user, rehash);
            }
            return tokens.issue(tx, user, deviceId, login.refreshToken());
        });
        tokens.forget(replaced);
        deviceChanges.get().devicesChanged(user);
        return result;
    }

    /** A token from {@link #generateLoginToken} and how long it stays valid. */
    public record IssuedLoginToken(String token, long expiresInMs) {}

    /**
     * Spec "POST /login/get_token": UIA ({@code m.login.password}) every time, as the spec requires; the token logs
     * one more client in as the same user within two minutes.
     */
    public IssuedLoginToken generateLoginToken(Session session, JsonObject auth) {
        limits.loginTokenPerUser().check(session.userId().value());
        var done = uia.authenticate("get_token", session.userId(), UiaFlows.PASSWORD_ONLY, auth);
        limits.loginTokenPerUser().acquire(session.userId().value());
        String token = database.transaction(tx -> {
            uia.finish(tx, done);
            return loginTokens.issue(tx, session.userId(), clock.millis());
        });
        return new IssuedLoginToken(token, LoginTokens.LIFETIME.toMillis());
    }

    /** The body of {@code POST /login} with {@code m.login.token}. */
    public record TokenLogin(String token, Optional<String> deviceId, Optional<String> initialDeviceDisplayName,
                             boolean refreshToken) {}

    /** Spec "POST /login" with {@code m.login.token}: {@code M_FORBIDDEN} for an unknown, used or expired token. */
    public LoginResult login(TokenLogin login, String ip) {
        limits.loginPerAddress().acquire(ip);
        login.deviceId().ifPresent(AccountHandler::checkDeviceId);
        List<String> replaced = new ArrayList<>();
        UserId[] who = new UserId[1];
        LoginResult result = database.transaction(tx -> {
            UserId user = loginTokens.consume(tx, login.token(), clock.millis())
                    .orElseThrow(() -> new MatrixException(ErrorCode.FORBIDDEN, "Invalid login token"));
            Optional<Account> account = accounts.find(tx, user);
            if (account.isEmpty() || account.get().deactivated()) {
                throw new MatrixException(ErrorCode.USER_DEACTIVATED, "This account has been deactivated");
            }
            who[0] = user;
            String deviceId = login.deviceId().orElseGet(Tokens::deviceId);
            replaced.addAll(devices.tokensOf(tx, user, deviceId));
            devices.deleteTokens(tx, user, deviceId);
            devices.upsert(tx, user, deviceId, login.initialDeviceDisplayName().orElse(null), clock.millis(), ip);
            return tokens.issue(tx, user, deviceId, login.refreshToken());
        });
        tokens.forget(replaced);
        deviceChanges.get().devicesChanged(who[0]);
        return result;
    }

    /** Spec "POST /logout": the token goes, and its device with it. */
    public void logout(Session session) {
        List<String> removed = database.transaction(tx -> devices.delete(tx, session.userId(), session.deviceId()));
        tokens.forget(removed);
        tokens.forget(List.of(session.tokenHash()));
        deviceChanges.get().devicesChanged(session.userId());
    }

    /** Spec "POST /logout/all": every token and device of the user. */
    public void logoutAll(Session session) {
        List<String> removed = database.transaction(tx -> devices.deleteAllExcept(tx, session.userId(), null));
        tokens.forget(removed);
        deviceChanges.get().devicesChanged(session.userId());
    }

    /**
     * Spec "POST /account/password" (UIA {@code m.login.password}); with {@code logoutDevices} every other device
     * and its tokens are deleted, the requesting one stays.
     */
    public void changePassword(Session session, String newPassword, boolean logoutDevices, JsonObject auth) {
        checkPassword(newPassword);
        var done = uia.authenticate("password", session.userId(), UiaFlows.PASSWORD_ONLY, auth);
        String hash = hasher.hash(newPassword);
        List<String> removed = database.transaction(tx -> {
            accounts.setPassword(tx, session.userId(), hash);
            uia.finish(tx, done);
            return logoutDevices ? devices.deleteAllExcept(tx, session.userId(), session.deviceId()) : List.<String>of();
        });
        tokens.forget(removed);
        if (logoutDevices) {
            deviceChanges.get().devicesChanged(session.userId());
        }
    }

    /**
     * Spec "POST /account/deactivate" (UIA {@code m.login.password}): no more logins, every device and token gone;
     * {@code erase} also clears the profile.
     */
    public void deactivate(Session session, boolean erase, JsonObject auth) {
        var done = uia.authenticate("deactivate", session.userId(), UiaFlows.PASSWORD_ONLY, auth);
        List<String> removed = database.transaction(tx -> {
            accounts.deactivate(tx, session.userId());
            uia.finish(tx, done);
            if (erase) {
                tx.createNamedUpdate("profile-set-displayname").addParam("user_id", session.userId().value())
                        .addParam("displayname", (String) null).execute();
                tx.createNamedUpdate("profile-set-avatar-url").addParam("user_id", session.userId().value())
                        .addParam("avatar_url", (String) null).execute();
                org.hearth.core.profile.ProfileHandler.eraseFields(tx, session.userId());
            }
            return devices.deleteAllExcept(tx, session.userId(), null);
        });
        tokens.forget(removed);
        if (erase) {
            profileChanges.get().profileChanged(session.userId(), null, null);
        }
        profileChanges.get().deactivated(session.userId());
        deviceChanges.get().devicesChanged(session.userId());
    }

    /** Whether the user exists here (any state). */
    public Optional<Account> account(UserId user) {
        return accounts.find(database.execute(), user);
    }

    public void setAdmin(UserId user, boolean admin) {
        database.execute().createNamedUpdate("account-set-admin").addParam("user_id", user.value()).addParam("admin", admin).execute();
    }

    private UserId generatedUser() {
        // Synapse numbers them; random avoids a counter table and the guest-reserved all-digit space.
        for (int i = 0; i < 10; i++) {
            UserId candidate = UserId.of("u" + Tokens.deviceId().toLowerCase(java.util.Locale.ROOT), serverName);
            if (!accounts.exists(database.execute(), candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("could not generate a free user ID");
    }

    // The devices table's key column; device IDs are opaque to us otherwise.
    static void checkDeviceId(String deviceId) {
        if (deviceId.isEmpty() || deviceId.length() > 255) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "device_id must be 1 to 255 characters");
        }
    }

    static void checkPassword(String password) {
        if (password.length() > MAX_PASSWORD_LENGTH) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Password is longer than " + MAX_PASSWORD_LENGTH + " characters");
        }
        if (password.isEmpty()) {
            throw new MatrixException(ErrorCode.WEAK_PASSWORD, "Password must not be empty");
        }
    }
}
