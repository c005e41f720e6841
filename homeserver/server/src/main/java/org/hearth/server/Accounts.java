package org.hearth.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.hearth.core.account.AccessTokens;
import org.hearth.core.account.AccountHandler;
import org.hearth.core.account.DeviceHandler;
import org.hearth.core.account.PasswordHasher;
import org.hearth.core.account.RegistrationTokens;
import org.hearth.core.account.SharedSecretRegistration;
import org.hearth.core.account.UserInteractiveAuth;
import org.hearth.core.port.DeviceChanges;
import org.hearth.core.port.ProfileChanges;
import org.hearth.core.profile.ProfileHandler;
import org.hearth.core.storage.Database;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.TokenAuthenticator;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.id.UserId;

/**
 * Users, devices, tokens and profiles, wired together: what the account routes use, and the
 * {@link TokenAuthenticator} every authenticated route uses. {@link #profileChanges} is the port the room
 * engine sets to turn profile changes into member events, {@link #deviceChanges} the one the sync streams set
 * for device-list updates (both no-ops until set: {@code server.accounts().profileChanges().set(impl)}).
 */
public record Accounts(TokenAuthenticator authenticator, AccessTokens tokens, AccountHandler accounts,
                       DeviceHandler devices, ProfileHandler profiles, RegistrationTokens registrationTokens,
                       SharedSecretRegistration sharedSecret, JsonBody json,
                       AtomicReference<ProfileChanges> profileChanges, AtomicReference<DeviceChanges> deviceChanges,
                       UserInteractiveAuth uia) {
    private static final Logger LOG = System.getLogger(Accounts.class.getName());

    static Accounts create(HearthConfig config, Database database, Clock clock) {
        ServerName server = ServerName.parse(config.serverName());
        var cost = PasswordHasher.Cost.named(config.security().passwordHashCost());
        if (cost == PasswordHasher.Cost.TEST) {
            LOG.log(Level.WARNING, "security.password_hash_cost is 'test': password hashes are cheap to crack; never use it in production");
        }
        var hasher = new PasswordHasher(cost);
        var tokens = new AccessTokens(database, clock);
        var registrationTokens = new RegistrationTokens(database, clock);
        var uia = new UserInteractiveAuth(database, clock, server, registrationTokens);
        var profileChanges = new AtomicReference<>(ProfileChanges.NONE);
        var deviceChanges = new AtomicReference<>(DeviceChanges.NONE);
        // The change is committed before the ports hear of it: a port's failure is logged, never turned into a 500
        // for a request whose change has happened.
        Supplier<ProfileChanges> profilePort = () -> guarded(profileChanges.get());
        Supplier<DeviceChanges> devicePort = () -> guarded(deviceChanges.get());
        var accounts = new AccountHandler(database, clock, server, hasher, tokens, uia, registrationTokens,
                config.registration().open(), profilePort, devicePort,
                AccountHandler.Limits.synapseDefaults(config.limits().rateLimits()));
        return new Accounts(new TokenAuthenticator(tokens), tokens, accounts,
                new DeviceHandler(database, tokens, uia, devicePort),
                new ProfileHandler(database, server, profilePort), registrationTokens,
                new SharedSecretRegistration(config.registration().sharedSecret(), accounts),
                new JsonBody(config.limits().maxRequestBodyBytes()), profileChanges, deviceChanges, uia);
    }

    private static ProfileChanges guarded(ProfileChanges port) {
        return new ProfileChanges() {
            @Override
            public void profileChanged(UserId user, String displayName, String avatarUrl) {
                try {
                    port.profileChanged(user, displayName, avatarUrl);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "profile change of " + user + " not propagated", e);
                }
            }

            @Override
            public void deactivated(UserId user) {
                try {
                    port.deactivated(user);
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "deactivation of " + user + " not propagated", e);
                }
            }
        };
    }

    private static DeviceChanges guarded(DeviceChanges port) {
        return user -> {
            try {
                port.devicesChanged(user);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "device list change of " + user + " not propagated", e);
            }
        };
    }
}
