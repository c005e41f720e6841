package org.hearth.core.account;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;

/**
 * Synapse's shared-secret registration ({@code /_synapse/admin/v1/register}), so {@code register_new_matrix_user}
 * and provisioning scripts work unchanged: a single-use nonce, then an HMAC-SHA1 keyed with the shared secret over
 * {@code nonce \0 username \0 password \0 admin|notadmin [\0 user_type]}, hex-encoded.
 */
public final class SharedSecretRegistration {
    // Synapse forgets nonces after 60 s.
    static final Duration NONCE_LIFETIME = Duration.ofSeconds(60);

    private final Optional<String> sharedSecret;
    private final AccountHandler accounts;
    private final Cache<String, Boolean> nonces = Caffeine.newBuilder()
            .expireAfterWrite(NONCE_LIFETIME).maximumSize(100_000).build();

    public SharedSecretRegistration(Optional<String> sharedSecret, AccountHandler accounts) {
        this.sharedSecret = sharedSecret.filter(s -> !s.isEmpty());
        this.accounts = accounts;
    }

    public boolean enabled() {
        return sharedSecret.isPresent();
    }

    public String nonce() {
        requireEnabled();
        String nonce = Tokens.id(32);
        nonces.put(nonce, Boolean.TRUE);
        return nonce;
    }

    /** The request of {@code POST /_synapse/admin/v1/register}. */
    public record Request(String nonce, String username, String password, boolean admin, String userType,
                          String displayName, String mac) {}

    /**
     * Registers after checking the nonce (used up, even when the rest fails, as Synapse does) and the MAC:
     * 400 M_UNKNOWN for an unknown nonce, 403 M_FORBIDDEN for a wrong MAC.
     */
    public LoginResult register(Request r) {
        requireEnabled();
        if (nonces.asMap().remove(r.nonce()) == null) {
            throw new MatrixException(ErrorCode.UNKNOWN, "unrecognised nonce");
        }
        String expected = mac(sharedSecret.get(), r.nonce(), r.username(), r.password(), r.admin(), r.userType());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                r.mac().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "HMAC incorrect");
        }
        return accounts.registerAdministratively(r.username(), r.password(), r.admin(), r.userType(), r.displayName());
    }

    private void requireEnabled() {
        if (sharedSecret.isEmpty()) {
            throw new MatrixException(ErrorCode.UNKNOWN, "Shared secret registration is not enabled");
        }
    }

    /** Hex HMAC-SHA1 of the registration fields, as {@code register_new_matrix_user} computes it. */
    public static String mac(String secret, String nonce, String username, String password, boolean admin, String userType) {
        try {
            Mac hmac = Mac.getInstance("HmacSHA1");
            hmac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            hmac.update(nonce.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update(username.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update(password.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update((admin ? "admin" : "notadmin").getBytes(StandardCharsets.US_ASCII));
            if (userType != null) {
                hmac.update((byte) 0);
                hmac.update(userType.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(hmac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
