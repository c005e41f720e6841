package org.hearth.server;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
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

/**
 * Users, devices, tokens and profiles, wired together: what the account routes use, and the
 * {@link TokenAuthenticator} every authenticated route uses. {@link #profileChanges} is the port the room
 * engine sets to turn profile changes into member events, {@link #deviceChanges} the one the sync streams set
 * for device-list updates (both no-ops until set: {@code server.accounts().profileChanges().set(impl)}).
 */
public record Accounts(TokenAuthenticator authenticator, AccessTokens tokens, AccountHandler accounts,
                       DeviceHandler devices, ProfileHandler profiles, RegistrationTokens registrationTokens,
                       SharedSecretRegistration sharedSecret, JsonBody json,
                       AtomicReference<ProfileChanges> profileChanges, AtomicReference<DeviceChanges> deviceChanges) {
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
        var accounts = new AccountHandler(database, clock, server, hasher, tokens, uia, registrationTokens,
                config.registration().open(), profileChanges::get, deviceChanges::get,
                AccountHandler.Limits.synapseDefaults(config.limits().rateLimits()));
        return new Accounts(new TokenAuthenticator(tokens), tokens, accounts,
                new DeviceHandler(database, tokens, uia, deviceChanges::get),
                new ProfileHandler(database, server, profileChanges::get), registrationTokens,
                new SharedSecretRegistration(config.registration().sharedSecret(), accounts),
                new JsonBody(config.limits().maxRequestBodyBytes()), profileChanges, deviceChanges);
    }
}
