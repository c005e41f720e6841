package org.hearth.server;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.hearth.core.keys.CrossSigningHandler;
import org.hearth.core.keys.KeysHandler;
import org.hearth.core.delayed.DelayedEvents;
import org.hearth.core.room.EventDraft;
import org.hearth.core.port.EventNotifier;
import org.hearth.core.port.RemoteKeys;
import org.hearth.core.push.PushActions;
import org.hearth.core.push.PushGatewaySender;
import org.hearth.core.push.PushRulesHandler;
import org.hearth.core.push.PushRulesets;
import org.hearth.core.push.Pushers;
import org.hearth.core.push.UnreadNotifications;
import org.hearth.core.room.RoomEngineMembership;
import org.hearth.core.room.RoomSyncSource;
import org.hearth.core.room.RoomCreation;
import org.hearth.core.room.Rooms;
import java.util.Optional;
import org.hearth.core.storage.Database;
import org.hearth.core.appservice.AppServiceQueue;
import org.hearth.core.appservice.AppServices;
import org.hearth.server.appservice.AppServiceQueries;
import org.hearth.server.appservice.AppServiceRoutes;
import org.hearth.server.appservice.ThirdPartyRoutes;
import org.hearth.server.appservice.RegistrationFiles;
import org.hearth.server.appservice.TransactionPusher;
import org.hearth.spec.error.MatrixException;
import org.hearth.server.client.ClientEvents;
import org.hearth.server.client.DirectoryRoutes;
import org.hearth.server.client.KeyBackupRoutes;
import org.hearth.core.backup.RoomKeyBackups;
import org.hearth.core.report.ContentReports;
import org.hearth.core.admin.ServerAdministration;
import org.hearth.server.client.AdminRoutes;
import org.hearth.server.http.AccountModerationGate;
import org.hearth.server.client.ReportRoutes;
import org.hearth.server.admin.EventReportRoutes;
import org.hearth.server.client.EventByTimestampRoutes;
import org.hearth.server.client.MutualRoomsRoutes;
import org.hearth.server.client.PublicRoomsRoutes;
import org.hearth.server.client.RoomRateLimits;
import org.hearth.server.client.RoomSummaryRoutes;
import org.hearth.server.client.RoomUpgradeRoutes;
import org.hearth.server.client.UserDirectoryRoutes;
import org.hearth.server.client.MembershipRoutes;
import org.hearth.server.client.RoomsRoutes;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Requester;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.room.RoomVersion;
import org.hearth.core.storage.DatabaseSettings;
import org.hearth.core.storage.Migrations;
import org.hearth.core.storage.ServerMetadata;
import org.hearth.core.sync.SyncStreams;
import org.hearth.server.client.AccountDataRoutes;
import org.hearth.server.client.NotificationsRoutes;
import org.hearth.server.client.PushRulesRoutes;
import org.hearth.server.client.PushersRoutes;
import org.hearth.server.client.CapabilitiesRoutes;
import org.hearth.server.client.PresenceRoutes;
import org.hearth.server.client.ReceiptRoutes;
import org.hearth.server.client.SyncRoutes;
import org.hearth.server.client.KeysRoutes;
import org.hearth.server.client.ToDeviceRoutes;
import org.hearth.server.client.TypingRoutes;
import org.hearth.server.admin.RegistrationTokenRoutes;
import org.hearth.server.admin.SharedSecretRegistrationRoutes;
import org.hearth.server.client.AccountRoutes;
import org.hearth.server.client.DeviceRoutes;
import org.hearth.server.client.LoginRoutes;
import org.hearth.server.client.ProfileRoutes;
import org.hearth.server.client.RegistrationRoutes;
import org.hearth.server.client.RegistrationTokenValidityRoutes;
import org.hearth.server.client.VersionsRoutes;
import org.hearth.server.client.WellKnownRoutes;
import org.hearth.server.config.HearthConfig;
import org.hearth.server.db.EmbeddedMariaDb;
import org.hearth.server.http.Cors;
import jakarta.json.JsonObject;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.spaces.SpaceHierarchy;
import org.hearth.server.client.RelationsRoutes;
import org.hearth.server.client.SearchRoutes;
import org.hearth.server.client.SpacesRoutes;
import org.hearth.spec.id.UserId;
import org.hearth.server.http.BodyLimit;
import org.hearth.server.client.MediaRoutes;
import org.hearth.core.media.ContentRepository;
import org.hearth.core.room.RetentionSettings;
import org.hearth.core.media.AddressRanges;
import org.hearth.core.media.UrlPreviews;
import org.hearth.core.media.MediaFiles;
import org.hearth.core.media.MediaSettings;
import org.hearth.core.port.RemoteMedia;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.tls.FederationKeystore;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.core.plugin.PluginStorage;
import org.hearth.server.client.EventGate;
import org.hearth.server.plugins.HostedHomeserver;
import org.hearth.server.plugins.PluginGates;
import org.hearth.server.plugins.PluginHost;
import org.hearth.server.plugins.PluginHttpRoutes;
import org.hearth.server.plugins.PluginTables;
import org.hearth.server.plugins.StoredEventLog;

/** A running homeserver: its database, listeners and routes, wired by hand; {@link #close} stops it in order. */
public final class HearthServer implements AutoCloseable {
    static final String FEDERATION_SOCKET = "federation";
    private static final Logger LOG = System.getLogger(HearthServer.class.getName());
    // In-flight requests get this long to finish at shutdown.
    private static final Duration GRACE = Duration.ofSeconds(10);

    private final HearthConfig config;
    private final Lifecycle lifecycle;
    private final Database database;
    private final WebServer webServer;
    private final Accounts accounts;
    private final Rooms rooms;
    private final Federation federation;

    private HearthServer(HearthConfig config, Lifecycle lifecycle, Database database, WebServer webServer,
                         Accounts accounts, Rooms rooms, Federation federation) {
        this.config = config;
        this.lifecycle = lifecycle;
        this.database = database;
        this.webServer = webServer;
        this.accounts = accounts;
        this.rooms = rooms;
        this.federation = federation;
    }

    /**
     * Starts everything or nothing: a failure part-way stops what was already started. Everything started is
     * recorded in {@code lifecycle}, which {@link #close} (or a shutdown hook holding it) stops.
     */
    public static HearthServer start(HearthConfig config, String version, Lifecycle lifecycle) {
        try {
            // Registration files are checked before anything starts: a bad one stops the start, naming the file.
            AppServices appServices = RegistrationFiles.load(config.appServiceConfigFiles(), ServerName.parse(config.serverName()));
            Files.createDirectories(config.dataDir());
            Files.createDirectories(config.mediaDir());
            SigningKey signingKey = ServerSigningKey.loadOrCreate(config.signingKeyFile());
            var tls = FederationKeystore.loadOrCreate(config.tls(), ServerNames.host(config.serverName()));
            Database database = openDatabase(config, lifecycle);
            Accounts accounts = Accounts.create(config, database, Clock.systemUTC());
            long maxBody = config.limits().maxRequestBodyBytes();
            // The room engine tells the sync streams about new events; the streams read rooms through the engine.
            var eventNotifier = new AtomicReference<EventNotifier>(EventNotifier.NONE);
            var retention = config.retention();
            Rooms rooms = new Rooms(database, config.serverName(), signingKey, Clock.systemUTC(),
                    (room, position, changed) -> eventNotifier.get().eventsPersisted(room, position, changed),
                    new RetentionSettings(retention.enabled(), retention.defaultMinLifetime(),
                            retention.defaultMaxLifetime(), retention.allowedLifetimeMin(),
                            retention.allowedLifetimeMax(), Duration.ofMillis(retention.purgeIntervalMs())));
            rooms.memberProfiles().useProfiles(user -> {
                try {
                    return Optional.of(accounts.profiles().get(user));
                } catch (MatrixException e) {
                    return Optional.empty();
                }
            });
            accounts.profileChanges().set(rooms.memberProfiles());
            var format = new ClientEvents(rooms.reader(), rooms.relations(), Clock.systemUTC());
            var roomSync = new RoomSyncSource(rooms.reader(), new RoomSyncSource.ClientFormat() {
                @Override
                public JsonObject format(StoredEvent event, UserId user, String deviceId) {
                    return format.format(event, new Requester(user, deviceId, false));
                }

                @Override
                public List<JsonObject> formatTimeline(List<StoredEvent> events, UserId user, String deviceId) {
                    return format.formatPage(events, new Requester(user, deviceId, false));
                }
            });
            var membership = new RoomEngineMembership(rooms.reader(), config.serverName());
            SyncStreams streams = lifecycle.add(new SyncStreams(database, roomSync, membership,
                    new AccountDevices(accounts.devices()), ServerName.parse(config.serverName()), Clock.systemUTC()));
            // Application services: their as_tokens, their senders, and transactions pushed after every commit.
            var appServiceQueue = new AppServiceQueue(database);
            accounts.authenticator().appServices(appServices, user -> accounts.accounts().account(user).isPresent(),
                    accounts.devices()::exists);
            appServices.all().forEach(as -> accounts.accounts().ensureExists(as.sender()));
            var pusher = lifecycle.add(new TransactionPusher(appServices, appServiceQueue, rooms.reader(), format, Clock.systemUTC()));
            eventNotifier.set(streams);
            streams.ephemeralEvents(pusher);
            pusher.start();
            accounts.deviceChanges().set(streams.deviceLists());
            var mediaConfig = config.media();
            // Remote media: fetched over federation once it exists (set below).
            var remoteMedia = new AtomicReference<>(RemoteMedia.NONE);
            var media = new ContentRepository(database, new MediaFiles(config.mediaDir()),
                    (origin, id, timeout, max) -> remoteMedia.get().download(origin, id, timeout, max),
                    ServerName.parse(config.serverName()), new MediaSettings(mediaConfig.maxUploadBytes(),
                    mediaConfig.maxPendingUploads(), Duration.ofMillis(mediaConfig.unusedExpirationMs()),
                    mediaConfig.maxImagePixels(), mediaConfig.thumbnailSizes(), mediaConfig.authenticatedOnly(),
                    mediaConfig.userQuotaBytes(), mediaConfig.quotaInfoUri()),
                    Clock.systemUTC());
            // Helidon has one payload limit per listener: the client one admits uploads, BodyLimit the rest.
            long maxClientBody = Math.max(maxBody, mediaConfig.maxUploadBytes());
            // End-to-end keys: changes reach the device-list stream; /sync reads one-time key counts; remote users'
            // keys come from federation once it sets remoteKeys (until then their servers are in `failures`).
            var remoteKeys = new AtomicReference<>(RemoteKeys.NONE);
            var keyChanges = new AtomicReference<org.hearth.core.port.KeyChanges>(streams.deviceLists());
            var keys = new KeysHandler(database, Clock.systemUTC(), ServerName.parse(config.serverName()),
                    keyChanges::get, remoteKeys::get);
            var crossSigning = new CrossSigningHandler(database, Clock.systemUTC(), accounts.uia(), keyChanges::get);
            streams.sync().useKeyCounts(keys);
            // Push: actions recorded in each commit (so /sync counts them), read receipts clear them, gateway pushes
            // go out after the commit is announced and before the syncs wake; a device's pushers go with it.
            var push = new Push(new PushRulesets(), new Pushers(database, Clock.systemUTC()),
                    new UnreadNotifications(database));
            var pushActions = new PushActions(config.serverName(), push.rulesets(), push.pushers());
            var gateway = lifecycle.add(new PushGatewaySender(database, push.pushers(), push.unread(), rooms.reader(),
                    Duration.ofSeconds(1), Duration.ofHours(1), Clock.systemUTC()));
            gateway.resume();
            // Unread counts in memory, kept current by each commit's push actions (counted once visible).
            push.unread().useEventStream(rooms.reader()::currentPosition);
            pushActions.countInto(push.unread());
            rooms.engine().usePushActions(pushActions);
            streams.receipts().useReadReceipts(push.unread());
            streams.sync().useUnreadCounts(push.unread());
            if (retention.enabled()) {
                lifecycle.add(new RetentionJob(rooms.retentionPurge(), media, push.unread()::roomChanged,
                        Duration.ofMillis(retention.purgeIntervalMs())));
            }
            eventNotifier.set((room, position, changed) -> {
                push.unread().addVisible();
                gateway.send(pushActions.committed(room, position));
                streams.eventsPersisted(room, position, changed);
            });
            accounts.deviceChanges().set(user -> {
                streams.deviceLists().devicesChanged(user);
                push.pushers().devicesChanged(user);
            });
            // Plugins: loaded once the handlers their Homeserver facade wraps exist.
            // Plugins check other servers' OpenID tokens through the federation client, which exists only later.
            AtomicReference<org.hearth.federation.client.FederationClient> pluginFederation = new AtomicReference<>();
            PluginHost plugins = lifecycle.add(pluginHost(config, database, rooms, accounts, streams, media, gateway,
                    pluginFederation));
            var memberViews = PluginGates.memberViews(plugins, rooms.reader());
            rooms.useMemberViews(memberViews);
            streams.sync().useMemberViews(memberViews);
            streams.sync().useAcknowledgements((user, deviceId, position) ->
                    plugins.acknowledged(user.value(), deviceId, position));
            EventNotifier syncNotifier = eventNotifier.get();
            eventNotifier.set((room, position, changed) -> {
                syncNotifier.eventsPersisted(room, position, changed);
                plugins.eventsPersisted();
            });
            // Delayed events (MSC4140): sent as their owner through the plugins' gate and the room engine.
            var delayedConfig = config.delayedEvents();
            var delayed = new DelayedEvents(database, Clock.systemUTC(), rooms.reader()::currentPosition,
                    new DelayedEvents.Limits(delayedConfig.maxDelayMs(), delayedConfig.maxScheduled()));
            var delayedGate = PluginGates.eventGate(plugins, config.serverName());
            delayed.useSender(event -> {
                delayedGate.check(event.room(), event.owner(), event.type(), Optional.ofNullable(event.stateKey()),
                        event.content());
                var draft = event.isState() ? EventDraft.state(event.type(), event.stateKey(), event.content())
                        : EventDraft.message(event.type(), event.content());
                return rooms.engine().send(event.room(), event.owner(), draft.withOriginServerTs(event.originServerTs()),
                        null).eventId();
            });
            var delayedJob = lifecycle.add(new DelayedEventJob(delayed, Clock.systemUTC()));
            EventNotifier beforeDelayed = eventNotifier.get();
            eventNotifier.set((room, position, changed) -> {
                beforeDelayed.eventsPersisted(room, position, changed);
                delayedJob.committed(room, position);
            });
            // Application services hear of commits after everything else.
            EventNotifier beforeAppServices = eventNotifier.get();
            eventNotifier.set((room, position, changed) -> {
                beforeAppServices.eventsPersisted(room, position, changed);
                pusher.eventsPersisted(room, position, changed);
            });
            ClientApi clientApi = new ClientApi(config, accounts, rooms, streams, database, media,
                    new E2ee(keys, crossSigning), push, plugins, appServices, appServiceQueue, delayed);

            // The well-known answers name the listeners' actual ports, known only once they are bound (port 0).
            AtomicReference<WebServer> bound = new AtomicReference<>();
            plugins.useClientBaseUrl(() -> clientBaseUrl(config, bound.get()));
            var wellKnown = new WellKnownRoutes(
                    () -> clientBaseUrl(config, bound.get()), config.voip(),
                    plugins::livekitServiceUrls,
                    () -> ServerNames.hostForUrl(config.serverName()) + ":" + bound.get().port(federationSocket(config)));

            HttpRouting.Builder federationRouting = HttpRouting.builder();
            if (config.listeners().combined()) {
                clientRoutes(federationRouting, clientApi);
            }
            Federation federation = Federation.create(config, signingKey, database, Clock.systemUTC());
            pluginFederation.set(federation.client());
            var eduHandlers = new java.util.concurrent.ConcurrentHashMap<String, org.hearth.federation.inbound.TransactionRoutes.EduHandler>();
            federation.routes(federationRouting, config, signingKey, version, database, rooms, accounts.profiles(),
                    Clock.systemUTC(), new org.hearth.core.port.EphemeralEvents() {
                        // Typing and receipts of remote users, from /send EDUs.
                        @Override
                        public void typing(UserId user, org.hearth.spec.id.RoomId room, boolean typing, long timeoutMs) {
                            streams.typing().set(user, room, typing, timeoutMs);
                        }

                        @Override
                        public void receipt(UserId user, org.hearth.spec.id.RoomId room, String type, String eventId, String threadId,
                                            long ts) {
                            streams.receipts().receipt(user, room, type, org.hearth.spec.id.EventId.parse(eventId),
                                    threadId.isEmpty() ? Optional.empty() : Optional.of(threadId));
                        }
                    }, eduHandlers);
            // MediaFiles' temp directory: emptied at start, so a fetch cut off by a crash leaves nothing behind.
            remoteMedia.set(federation.remoteMedia(config.mediaDir().resolve("tmp")));
            federation.mediaRoutes(federationRouting, media);
            // Federation: local events go out to the rooms' other servers; joins to unknown rooms go through them.
            var outbound = lifecycle.add(federation.outbound(config, rooms, database));
            // Queued in each commit's transaction; the notifier below only wakes the senders for those.
            rooms.engine().useOutbound(outbound);
            EventNotifier localNotifier = eventNotifier.get();
            eventNotifier.set((room, position, changed) -> {
                localNotifier.eventsPersisted(room, position, changed);
                outbound.eventsPersisted(room, position, changed);
            });
            lifecycle.add(FederatedDevices.install(config.serverName(), database, keys, streams, membership, federation,
                    outbound, federationRouting, eduHandlers, remoteKeys, keyChanges, accounts.deviceChanges(), pusher,
                    Clock.systemUTC()));
            rooms.useRemoteMembership(new org.hearth.federation.send.RemoteMembershipClient(config.serverName(), signingKey,
                    federation.client(), org.hearth.federation.inbound.PduChecks.over(federation.keys()),
                    rooms.engine(), rooms.reader(), Clock.systemUTC()));
            rooms.useRemoteHistory(new org.hearth.federation.send.BackfillClient(config.serverName(),
                    federation.client(), org.hearth.federation.inbound.PduChecks.over(federation.keys()),
                    rooms.engine(), rooms.reader()));
            federation.answerQueriesFor(rooms, accounts.profiles());
            federationRouting.register("/.well-known/matrix", wellKnown);
            MatrixErrors.install(federationRouting);

            var fed = config.listeners().federation();
            WebServerConfig.Builder server = WebServer.builder()
                    .shutdownHook(false) // RunCommand's hook stops us, then the database
                    .featuresDiscoverServices(false);
            if (config.listeners().combined()) {
                // The default socket is the only one, so it is the TLS one.
                server.host(fed.bindAddress()).port(fed.port()).maxPayloadSize(maxClientBody).shutdownGracePeriod(GRACE)
                        .directHandlers(MatrixErrors.directHandlers())
                        .tls(t -> t.privateKey(tls.key()).privateKeyCertChain(tls.chain()))
                        .routing(federationRouting);
            } else {
                HttpRouting.Builder clientRouting = HttpRouting.builder();
                clientRoutes(clientRouting, clientApi);
                clientRouting.register("/.well-known/matrix", wellKnown);
                MatrixErrors.install(clientRouting);
                var client = config.listeners().client();
                server.host(client.bindAddress()).port(client.port()).maxPayloadSize(maxClientBody).shutdownGracePeriod(GRACE)
                        .directHandlers(MatrixErrors.directHandlers())
                        .routing(clientRouting);
                server.putSocket(FEDERATION_SOCKET, socket -> socket
                        .host(fed.bindAddress()).port(fed.port()).maxPayloadSize(maxBody).shutdownGracePeriod(GRACE)
                        .directHandlers(MatrixErrors.directHandlers())
                        .tls(t -> t.privateKey(tls.key()).privateKeyCertChain(tls.chain()))
                        .routing(federationRouting));
            }
            WebServer webServer = server.build();
            // Stopping lets in-flight requests finish (up to the grace period) before the pool closes.
            lifecycle.add(new Stoppable("webserver", webServer::stop));
            webServer.start();
            bound.set(webServer);
            // Once everything a send reaches (federation, appservices, sync) is wired: what fell due while down.
            delayedJob.start();
            return new HearthServer(config, lifecycle, database, webServer, accounts, rooms, federation);
        } catch (IOException e) {
            lifecycle.close();
            throw new UncheckedIOException("cannot create " + config.dataDir() + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            lifecycle.close();
            throw e;
        }
    }

    /** The embedded or external database, migrated and checked to belong to this server name. */
    private static Database openDatabase(HearthConfig config, Lifecycle lifecycle) {
        var db = config.database();
        DatabaseSettings settings;
        if (db.embedded()) {
            // Recorded before it starts: stopping waits for a start in progress, then stops mariadbd.
            EmbeddedMariaDb embedded = lifecycle.add(new EmbeddedMariaDb(config.embeddedDatabaseDir()));
            embedded.start();
            settings = embedded.settings(db.poolSize());
        } else {
            settings = new DatabaseSettings(db.url(), db.user(), db.password(), db.poolSize());
        }
        Database database = lifecycle.add(Database.open(settings));
        var migration = Migrations.apply(database.dataSource());
        // Flyway leaves the target version empty when nothing was applied.
        String version = migration.targetSchemaVersion != null ? migration.targetSchemaVersion : migration.initialSchemaVersion;
        LOG.log(Level.INFO, "database schema at version " + version
                + " (" + migration.migrationsExecuted + " migrations applied now)");
        new ServerMetadata(database, Clock.systemUTC()).claim(config.serverName());
        return database;
    }

    /** Plugins, loaded once the handlers their Homeserver facade wraps exist. */
    private static PluginHost pluginHost(HearthConfig config, Database database, Rooms rooms, Accounts accounts,
                                         SyncStreams streams, ContentRepository media, PushGatewaySender pushes,
                                         AtomicReference<org.hearth.federation.client.FederationClient> federation) {
        var pluginConfig = config.plugins();
        var tables = new PluginTables(database.dataSource());
        var permissions = new org.hearth.server.plugins.DeclaredPermissions();
        return new PluginHost(pluginConfig.dir(), Duration.ofMillis(pluginConfig.callBudgetMs()), pluginConfig.maxFailures(),
                id -> new HostedHomeserver(id, ServerName.parse(config.serverName()),
                        PluginGates.section(pluginConfig.sections().getOrDefault(id, java.util.Map.of())), rooms,
                        accounts.accounts(), accounts.profiles(), streams.accountData(), new PluginStorage(database),
                        tables.database(id), media, config.defaultRoomVersion(), permissions, pushes)
                        .useReceipts(streams.receipts())
                        .useOpenIdTokens(new org.hearth.core.account.OpenIdTokens(database, java.time.Clock.systemUTC()),
                                (server, token) -> remoteOpenIdUser(federation.get(), server, token)),
                new StoredEventLog(new PluginStorage(database), rooms.reader()), tables, permissions);
    }

    /**
     * Server-Server API "OpenID": the user another server says an OpenID token is ({@code GET /openid/userinfo}),
     * only when that user is on that server; empty for any refusal or failure.
     */
    private static Optional<String> remoteOpenIdUser(org.hearth.federation.client.FederationClient client,
                                                     String server, String token) {
        if (client == null) {
            return Optional.empty();
        }
        try {
            var info = client.get(server, "/_matrix/federation/v1/openid/userinfo?access_token="
                    + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8));
            return info.get("sub") instanceof jakarta.json.JsonString sub
                    ? UserId.tryParse(sub.getString()).filter(u -> u.serverName().value().equals(server)).map(UserId::value)
                    : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** What the Client-Server routes are built from. */
    record ClientApi(HearthConfig config, Accounts accounts, Rooms rooms, SyncStreams streams, Database database,
                     ContentRepository media, E2ee e2ee, Push push, PluginHost plugins, AppServices appServices,
                     AppServiceQueue appServiceQueue, DelayedEvents delayed) {}

    record E2ee(KeysHandler keys, CrossSigningHandler crossSigning) {}

    record Push(PushRulesets rulesets, Pushers pushers, UnreadNotifications unread) {}

    private static void clientRoutes(HttpRouting.Builder routing, ClientApi api) {
        Accounts accounts = api.accounts();
        SyncStreams streams = api.streams();
        routing.addFilter(new Cors())
                .addFilter(new BodyLimit(api.config().limits().maxRequestBodyBytes()))
                .register("/_matrix/client", new VersionsRoutes(api.delayed().limits().enabled()));
        var queries = new AppServiceQueries();
        var appServiceRoutes = new AppServiceRoutes(accounts.authenticator(), accounts.json(), api.appServices(),
                api.appServiceQueue(), api.rooms().reader(), queries, user -> accounts.accounts().account(user).isPresent(),
                alias -> api.rooms().aliases().resolve(alias).isPresent());
        var thirdParty = new ThirdPartyRoutes(accounts.authenticator(), api.appServices(), queries);
        routing.register("/_matrix/client/v1", appServiceRoutes.v1())
                .register("/_matrix/client/v3", appServiceRoutes.v3(), thirdParty)
                .register("/_matrix/client/r0", appServiceRoutes.v3(), thirdParty);
        // Endpoints that existed in r0 answer there too, as Synapse does: older clients and bots still use r0.
        for (String prefix : List.of("/_matrix/client/v3", "/_matrix/client/r0")) {
            boolean r0 = prefix.endsWith("r0");
            routing.register(prefix,
                    new RegistrationRoutes(accounts.accounts(), accounts.json(), accounts.authenticator(), api.appServices()),
                    new LoginRoutes(accounts.accounts(), accounts.tokens(), accounts.authenticator(), accounts.json(), r0),
                    new AccountRoutes(accounts.accounts(), accounts.authenticator(), accounts.json()),
                    new DeviceRoutes(accounts.devices(), accounts.authenticator(), accounts.json()),
                    new ProfileRoutes(accounts.authenticator(), accounts.profiles(), accounts.json()),
                    new org.hearth.server.client.OpenIdRoutes(accounts.authenticator(), accounts.json(),
                            new org.hearth.core.account.OpenIdTokens(api.database(), Clock.systemUTC()),
                            api.config().serverName()));
        }
        Authenticator auth = accounts.authenticator();
        JsonBody bodies = accounts.json();
        var voip = new org.hearth.server.client.VoipRoutes(auth, api.config().voip(), Clock.systemUTC(),
                api.plugins()::livekitServiceUrls);
        routing.register("/_matrix/client/v3", voip.turnServer())
                .register("/_matrix/client/r0", voip.turnServer())
                .register("/_matrix/client/unstable/org.matrix.msc4143", voip.rtcTransports());
        // The streams' routes register v3 and r0 themselves (ClientPaths).
        routing.register("/_matrix/client",
                new SyncRoutes(auth, bodies, streams.sync(), streams.filters(), PluginGates.syncExtras(api.plugins())),
                new org.hearth.server.client.LegacySyncRoutes(auth, streams.sync(), api.rooms(),
                        new ClientEvents(api.rooms().reader(), api.rooms().relations(), Clock.systemUTC())),
                new TypingRoutes(auth, bodies, streams.typing()),
                new ReceiptRoutes(auth, bodies, streams.receipts()),
                new PresenceRoutes(auth, bodies, streams.presence()),
                new AccountDataRoutes(auth, bodies, streams.accountData()),
                new PushRulesRoutes(auth, bodies, new PushRulesHandler(streams.accountData(), api.push().rulesets())),
                new PushersRoutes(auth, bodies, api.push().pushers()),
                new NotificationsRoutes(auth, api.push().unread(), api.rooms().reader(),
                        new ClientEvents(api.rooms().reader(), Clock.systemUTC())),
                new ToDeviceRoutes(auth, bodies, streams.toDevice()),
                new KeysRoutes(auth, bodies, api.e2ee().keys(), api.e2ee().crossSigning(), streams.deviceLists(), streams.sync()),
                new CapabilitiesRoutes(auth, api.config().defaultRoomVersion(), delayedCapability(api.delayed())));
        roomRoutes(routing, auth, api.rooms(), api.config().serverName(), api.config().defaultRoomVersion(),
                api.config().limits().maxRequestBodyBytes(), PluginGates.eventGate(api.plugins(), api.config().serverName()),
                appServiceRoutes::queryUnknownUser, api.delayed());
        routing.register("/_matrix/client/unstable/org.matrix.msc4140",
                new org.hearth.server.client.DelayedEventRoutes(auth, bodies, api.delayed()));
        // Room directory, upgrades, user directory, summaries (issue 5): per-user limits on sends and joins first.
        routing.addFilter(RoomRateLimits.from(auth, api.config().limits()))
                .register("/_matrix/client", new UserDirectoryRoutes(auth, bodies, api.rooms().userDirectory()))
                .register("/_matrix/client/v1", new EventByTimestampRoutes(auth, api.rooms(), api.config().serverName()),
                        new RoomSummaryRoutes(auth, api.rooms()),
                        new MutualRoomsRoutes(auth, api.rooms().userDirectory()));
        var pluginRoutes = new PluginHttpRoutes(auth, bodies, api.plugins());
        routing.register("/_hearth", pluginRoutes).register("/_matrix/client/unstable", pluginRoutes.clientExtensions());
        routing.register("/_matrix/client/v1", new RegistrationTokenValidityRoutes(accounts.registrationTokens()));
        var preview = api.config().media().urlPreview();
        var mediaRoutes = new MediaRoutes(auth, api.media(), preview.enabled()
                ? Optional.of(new UrlPreviews(api.media(), AddressRanges.parse(preview.deniedRanges()),
                        AddressRanges.parse(preview.allowedRanges()), preview.maxBytes()))
                : Optional.empty());
        routing.register("/_matrix/client/v1/media", mediaRoutes.authenticated())
                .register("/_matrix/media", mediaRoutes.legacy());
        routing.register("/_synapse/admin/v1",
                new SharedSecretRegistrationRoutes(accounts.sharedSecret(), accounts.json(), accounts.accounts().serverName().value()),
                new RegistrationTokenRoutes(accounts.authenticator(), accounts.registrationTokens(), accounts.json()));
        safetyRoutes(routing, api);
        sessionRoutes(routing, api);
    }

    /** Synapse's {@code org.matrix.msc4140.delayed_events} capability (the MSC's {@code m.delayed_events}): the limits. */
    private static JsonObject delayedCapability(DelayedEvents delayed) {
        var limits = delayed.limits();
        if (!limits.enabled()) {
            return jakarta.json.JsonValue.EMPTY_JSON_OBJECT;
        }
        return org.hearth.spec.json.Json.objectBuilder().add("org.matrix.msc4140.delayed_events",
                org.hearth.spec.json.Json.objectBuilder().add("max_delay_ms", limits.maxDelayMs())
                        .add("max_scheduled", limits.maxScheduled())).build();
    }

    /** Login tokens, authentication discovery and the support well-known (issue 5 leftovers). */
    private static void sessionRoutes(HttpRouting.Builder routing, ClientApi api) {
        Accounts accounts = api.accounts();
        routing.register("/_matrix/client/v1",
                new org.hearth.server.client.LoginTokenRoutes(accounts.accounts(), accounts.authenticator(), accounts.json()),
                new org.hearth.server.client.AuthMetadataRoutes());
        routing.register("/.well-known/matrix", new org.hearth.server.client.SupportRoutes(api.config().support()));
        api.streams().presence().useIdleTimeout(api.config().presence().idleTimeoutMs());
        routing.addFilter(new org.hearth.server.client.PresenceActivity(accounts.authenticator(), api.streams().presence()));
    }

    /** Key backups, content reports, the spec's admin endpoints, and account locking and suspension. */
    private static void safetyRoutes(HttpRouting.Builder routing, ClientApi api) {
        Authenticator auth = api.accounts().authenticator();
        JsonBody bodies = api.accounts().json();
        var reports = new ContentReports(api.database(), api.rooms().reader(), ServerName.parse(api.config().serverName()),
                user -> api.accounts().accounts().account(user).isPresent(), Clock.systemUTC());
        routing.register("/_matrix/client",
                new KeyBackupRoutes(auth, bodies, new RoomKeyBackups(api.database())),
                new ReportRoutes(auth, bodies, reports));
        routing.register("/_synapse/admin/v1", new EventReportRoutes(auth, reports, api.rooms().reader()));
        var administration = new ServerAdministration(api.database(), ServerName.parse(api.config().serverName()));
        routing.register("/_matrix/client", new AdminRoutes(auth, bodies, administration));
        // Locked and suspended accounts are refused when their access token is checked, whatever the route.
        api.accounts().authenticator().gate(new AccountModerationGate(administration,
                eventId -> api.rooms().reader().event(eventId).map(e -> e.sender())));
    }

    /** The room endpoints, at v3 and (where they existed) r0. Public for tests that bring their own Authenticator. */
    public static void roomRoutes(HttpRouting.Builder routing, Authenticator auth, Rooms rooms, String serverName,
                                  RoomVersion defaultVersion, long maxBodyBytes) {
        roomRoutes(routing, auth, rooms, serverName, defaultVersion, maxBodyBytes, EventGate.NONE);
    }

    /** The room endpoints with a check of clients' events before they are stored. */
    public static void roomRoutes(HttpRouting.Builder routing, Authenticator auth, Rooms rooms, String serverName,
                                  RoomVersion defaultVersion, long maxBodyBytes, EventGate gate) {
        roomRoutes(routing, auth, rooms, serverName, defaultVersion, maxBodyBytes, gate, user -> { });
    }

    /** {@code invitees}: sees each invited user before the invite (appservice user queries). */
    public static void roomRoutes(HttpRouting.Builder routing, Authenticator auth, Rooms rooms, String serverName,
                                  RoomVersion defaultVersion, long maxBodyBytes, EventGate gate,
                                  java.util.function.Consumer<UserId> invitees) {
        roomRoutes(routing, auth, rooms, serverName, defaultVersion, maxBodyBytes, gate, invitees, null);
    }

    /** {@code delayed}: delayed sends and state PUTs (MSC4140); null leaves their query parameter unread. */
    public static void roomRoutes(HttpRouting.Builder routing, Authenticator auth, Rooms rooms, String serverName,
                                  RoomVersion defaultVersion, long maxBodyBytes, EventGate gate,
                                  java.util.function.Consumer<UserId> invitees, DelayedEvents delayed) {
        JsonBody body = new JsonBody(maxBodyBytes);
        var creation = new RoomCreation(rooms, ServerName.parse(serverName), defaultVersion);
        var format = new ClientEvents(rooms.reader(), rooms.relations(), Clock.systemUTC());
        for (String prefix : List.of("/_matrix/client/v3", "/_matrix/client/r0")) {
            routing.register(prefix, new RoomsRoutes(auth, body, rooms, creation, format, gate, invitees, delayed))
                    .register(prefix, new MembershipRoutes(auth, body, rooms, invitees))
                    .register(prefix, new DirectoryRoutes(auth, body, rooms, serverName))
                    .register(prefix, new SearchRoutes(auth, body, rooms, format));
        }
        // Relations, threads and space hierarchies were added in v1.
        routing.register("/_matrix/client/v1", new RelationsRoutes(auth, rooms, format),
                new SpacesRoutes(auth, new SpaceHierarchy(rooms, (user, room, via) ->
                        rooms.remoteQueries().spaceRoom(room, via).flatMap(SpaceHierarchy::remoteRoom))));
        // These register v3 and r0 themselves (ClientPaths). Other servers' directories need federation.
        routing.register("/_matrix/client",
                new PublicRoomsRoutes(auth, body, rooms, serverName,
                        request -> rooms.remoteRoomDirectory().publicRooms(request)),
                new RoomUpgradeRoutes(auth, body, rooms));
    }

    private static String federationSocket(HearthConfig config) {
        return config.listeners().combined() ? WebServer.DEFAULT_SOCKET_NAME : FEDERATION_SOCKET;
    }

    private static String clientBaseUrl(HearthConfig config, WebServer server) {
        if (config.publicBaseUrl().isPresent()) {
            return config.publicBaseUrl().get();
        }
        String host = ServerNames.hostForUrl(config.serverName());
        return config.listeners().combined()
                ? "https://" + host + ":" + server.port()
                : "http://" + host + ":" + server.port();
    }

    public String serverName() {
        return config.serverName();
    }

    public int clientPort() {
        return webServer.port();
    }

    public int federationPort() {
        return webServer.port(federationSocket(config));
    }

    public String clientUrl() {
        return (config.listeners().combined() ? "https://" : "http://") + urlHost() + ":" + clientPort();
    }

    public String federationUrl() {
        return "https://" + urlHost() + ":" + federationPort();
    }

    private String urlHost() {
        // A listener on all interfaces is reachable on loopback; a specific one only on its own address.
        String bind = config.listeners().federation().bindAddress();
        return bind.equals("0.0.0.0") || bind.equals("::") ? ServerNames.hostForUrl(config.serverName()) : bind;
    }

    public Database database() {
        return database;
    }

    /** The accounts part: the {@link org.hearth.server.http.Authenticator}, handlers, and the profile-change port. */
    public Accounts accounts() {
        return accounts;
    }

    public Rooms rooms() {
        return rooms;
    }

    /** The Server-Server parts: outbound client, other servers' keys, inbound authentication. */
    public Federation federation() {
        return federation;
    }

    /** Stops accepting, lets in-flight requests finish (up to the grace period), closes the pool, stops MariaDB. */
    @Override
    public void close() {
        lifecycle.close();
    }

    private record Stoppable(String name, Runnable stop) implements AutoCloseable {
        @Override
        public void close() {
            stop.run();
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
