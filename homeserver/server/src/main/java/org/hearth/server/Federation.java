package org.hearth.server;

import io.helidon.webserver.http.HttpRouting;
import java.time.Clock;
import org.hearth.core.media.ContentRepository;
import org.hearth.core.port.RemoteMedia;
import org.hearth.core.profile.ProfileHandler;
import org.hearth.core.room.Rooms;
import org.hearth.core.storage.Database;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.client.AddressFilter;
import org.hearth.federation.client.Backoff;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationTls;
import org.hearth.federation.client.HttpsWellKnown;
import org.hearth.federation.discovery.JndiDns;
import org.hearth.federation.discovery.ServerNameResolver;
import org.hearth.federation.inbound.EventRoutes;
import org.hearth.federation.inbound.JoinRoutes;
import org.hearth.federation.inbound.PduChecks;
import org.hearth.federation.inbound.TransactionRoutes;
import org.hearth.federation.inbound.QueryRoutes;
import org.hearth.federation.inbound.RoomAccess;
import org.hearth.federation.inbound.VersionRoutes;
import org.hearth.federation.keys.NotaryRoutes;
import org.hearth.federation.media.FederationMediaClient;
import org.hearth.federation.media.MediaRoutes;
import org.hearth.federation.keys.ServerKeyRoutes;
import org.hearth.federation.keys.ServerKeys;
import org.hearth.federation.keys.TrustedKeyServer;
import org.hearth.federation.send.TransactionQueue;
import org.hearth.server.config.HearthConfig;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.crypto.UnpaddedBase64;

/** The Server-Server parts wired together: outbound client, key store and notary, inbound authentication. */
public record Federation(FederationClient client, ServerKeys keys, FederationAuth auth) {

    static Federation create(HearthConfig config, SigningKey signingKey, Database database, Clock clock) {
        var settings = config.federation();
        var tls = FederationTls.create(settings.verifyTls(), settings.trustedCaFile());
        var addresses = AddressFilter.of(settings.allowPrivateAddresses());
        var resolver = new ServerNameResolver(new JndiDns(), new HttpsWellKnown(tls, addresses));
        var client = new FederationClient(config.serverName(), signingKey, resolver, tls, addresses, new Backoff(clock));
        var notaries = settings.trustedKeyServers().stream().map(t -> new TrustedKeyServer(t.serverName(),
                t.verifyKeys().entrySet().stream().collect(java.util.stream.Collectors.toMap(
                        java.util.Map.Entry::getKey, e -> UnpaddedBase64.decode(e.getValue()))))).toList();
        var keys = new ServerKeys(config.serverName(), signingKey, database, client, notaries, clock);
        return new Federation(client, keys, new FederationAuth(config.serverName(), keys, clock));
    }

    /**
     * The persisted outbound queue, resumed: what was pending before a restart goes out now, and a destination that
     * sends us a request is retried at once.
     */
    TransactionQueue outbound(HearthConfig config, Rooms rooms, Database database) {
        var queue = new TransactionQueue(config.serverName(), rooms.reader(), client, database, Clock.systemUTC());
        auth.onAuthenticated(queue::heardFrom);
        queue.resume();
        return queue;
    }

    /** Remote aliases, profiles and room directories asked over federation by the Client-Server API. */
    void answerQueriesFor(Rooms rooms, ProfileHandler profiles) {
        var queries = new org.hearth.federation.send.RemoteQueryClient(client,
                org.hearth.federation.inbound.PduChecks.over(keys), rooms.reader());
        rooms.useRemoteQueries(queries);
        rooms.useRemoteRoomDirectory(queries);
        profiles.useRemote(queries);
    }

    /** Other servers' media, fetched over federation into files under {@code tmp}. */
    RemoteMedia remoteMedia(java.nio.file.Path tmp) {
        return new FederationMediaClient(client, tmp);
    }

    /** Our media for other servers. */
    void mediaRoutes(HttpRouting.Builder routing, ContentRepository media) {
        routing.register("/_matrix/federation/v1", new MediaRoutes(auth, media));
    }

    /** The key API and the Server-Server endpoints, on the federation listener. */
    void routes(HttpRouting.Builder routing, HearthConfig config, SigningKey signingKey, String version, Database database,
                Rooms rooms, ProfileHandler profiles, Clock clock, org.hearth.core.port.EphemeralEvents edus,
                java.util.Map<String, TransactionRoutes.EduHandler> eduHandlers) {
        String name = config.serverName();
        var ownKeys = new ServerKeyRoutes(name, signingKey, clock);
        routing.register("/_matrix/key/v2", ownKeys, new NotaryRoutes(keys, name, signingKey, ownKeys, clock))
                .register("/_matrix/federation/v1", new VersionRoutes(version),
                        new QueryRoutes(auth, profiles, rooms.aliases(), rooms.reader(), name),
                        new org.hearth.federation.inbound.PublicRoomsRoutes(auth, rooms.directory()),
                        new org.hearth.federation.inbound.TimestampRoutes(auth, rooms.eventsByTime(),
                                new RoomAccess(rooms.reader(), database)),
                        new org.hearth.federation.inbound.HierarchyRoutes(auth,
                                new org.hearth.core.spaces.SpaceHierarchy(rooms,
                                        org.hearth.core.spaces.SpaceHierarchy.RemoteRooms.NONE),
                                new RoomAccess(rooms.reader(), database)),
                        new org.hearth.federation.inbound.OpenIdRoutes(
                                new org.hearth.core.account.OpenIdTokens(database, clock)),
                        new EventRoutes(auth, rooms.reader(), new RoomAccess(rooms.reader(), database), name, clock),
                        new TransactionRoutes(auth, rooms.reader(), rooms.engine(),
                                new RoomAccess(rooms.reader(), database), PduChecks.over(keys), client, edus,
                                database, clock, eduHandlers, config.federation().maxMissingEvents()))
                .register("/_matrix/federation", new JoinRoutes(auth, rooms.reader(), rooms.engine(),
                        new RoomAccess(rooms.reader(), database), PduChecks.over(keys), name, signingKey));
    }
}
