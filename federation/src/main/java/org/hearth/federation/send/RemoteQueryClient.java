package org.hearth.federation.send;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.port.RemoteQueries;
import org.hearth.core.port.RemoteRoomDirectory;
import org.hearth.core.profile.Profile;
import org.hearth.federation.client.FederationClient;
import org.hearth.federation.client.FederationException;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server API, "Querying for information" ({@code /query/directory}, {@code /query/profile}) and
 * "Public Room Directory" ({@code /publicRooms}), the asking side. Profiles are cached briefly, as Synapse does, so a
 * member list does not ask once per render.
 */
public final class RemoteQueryClient implements RemoteQueries, RemoteRoomDirectory {
    private static final Duration PROFILE_TTL = Duration.ofMinutes(1);

    private static final System.Logger LOG = System.getLogger(RemoteQueryClient.class.getName());
    private final FederationClient client;
    private final Cache<UserId, Profile> profiles = Caffeine.newBuilder().maximumSize(10_000)
            .expireAfterWrite(PROFILE_TTL).build();

    // Checks events other servers name (timestamp_to_event); null: such answers are not trusted.
    private final org.hearth.federation.inbound.PduChecks checks;
    private final org.hearth.core.room.RoomReader reader;

    public RemoteQueryClient(FederationClient client) {
        this(client, null, null);
    }

    public RemoteQueryClient(FederationClient client, org.hearth.federation.inbound.PduChecks checks,
                             org.hearth.core.room.RoomReader reader) {
        this.client = client;
        this.checks = checks;
        this.reader = reader;
    }

    /**
     * As Synapse does when its own answer is missing: each server in turn is asked for the event, which is then
     * fetched with {@code /event} and checked like a received PDU (format, signatures, hash), in the room and on
     * the asked side of {@code ts}; a server that fails or names a bad event is skipped.
     */
    @Override
    public java.util.Optional<TimedEvent> closestEvent(RoomId room, long ts, boolean forward, List<String> servers) {
        if (checks == null) {
            return java.util.Optional.empty();
        }
        var version = reader.version(room);
        if (version.isEmpty()) {
            return java.util.Optional.empty();
        }
        for (String server : servers) {
            try {
                JsonObject named = client.get(server, "/_matrix/federation/v1/timestamp_to_event/" + encode(room.value())
                        + "?dir=" + (forward ? "f" : "b") + "&ts=" + ts);
                String id = named.getString("event_id");
                JsonObject got = client.get(server, "/_matrix/federation/v1/event/" + encode(id));
                JsonObject json = got.getJsonArray("pdus").getJsonObject(0);
                if (checks.check(version.get(), json) instanceof org.hearth.federation.inbound.PduChecks.Checked.Usable(
                        org.hearth.spec.event.Pdu pdu, boolean redacted)
                        && pdu.eventId().equals(id) && room.value().equals(pdu.roomId().orElse(null))
                        && (forward ? pdu.originServerTs() >= ts : pdu.originServerTs() <= ts)) {
                    return java.util.Optional.of(new TimedEvent(id, pdu.originServerTs()));
                }
                LOG.log(System.Logger.Level.INFO, server + " named a bad event for timestamp_to_event: " + id);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "timestamp_to_event at " + server + " failed: " + e.getMessage());
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public RoomAddress alias(RoomAlias alias) {
        String server = alias.serverName().value();
        JsonObject answer = ask(server, "/_matrix/federation/v1/query/directory?room_alias=" + encode(alias.value()),
                "Room alias " + alias.value() + " not found");
        RoomId room = answer.get("room_id") instanceof JsonString s ? RoomId.tryParse(s.getString()).orElse(null) : null;
        if (room == null) {
            throw new MatrixException(ErrorCode.NOT_FOUND, server + " gave no room for " + alias.value());
        }
        List<String> servers = new ArrayList<>();
        if (answer.get("servers") instanceof jakarta.json.JsonArray list) {
            for (JsonValue v : list) {
                if (v instanceof JsonString s) {
                    servers.add(s.getString());
                }
            }
        }
        return new RoomAddress(room, servers);
    }

    @Override
    public Profile profile(UserId user) {
        Profile cached = profiles.getIfPresent(user);
        if (cached != null) {
            return cached;
        }
        JsonObject answer = ask(user.domain(), "/_matrix/federation/v1/query/profile?user_id=" + encode(user.value()),
                "Profile not found");
        Profile profile = new Profile(text(answer, "displayname"), text(answer, "avatar_url"));
        profiles.put(user, profile);
        return profile;
    }

    @Override
    public java.util.Optional<JsonObject> spaceRoom(RoomId room, List<String> via) {
        for (String server : via) {
            try {
                JsonObject answer = client.get(server, "/_matrix/federation/v1/hierarchy/" + encode(room.value()));
                if (answer.get("room") instanceof JsonObject found && room.value().equals(found.getString("room_id", null))) {
                    return java.util.Optional.of(found);
                }
            } catch (FederationException e) {
                // the next server may know it
            }
        }
        return java.util.Optional.empty();
    }

    @Override
    public JsonObject publicRooms(Request request) {
        String server = request.server().value();
        try {
            if (request.filter() == null && !request.includeAllNetworks() && request.thirdPartyInstanceId() == null) {
                StringBuilder target = new StringBuilder("/_matrix/federation/v1/publicRooms");
                char sep = '?';
                if (request.limit() != null) {
                    target.append(sep).append("limit=").append(request.limit());
                    sep = '&';
                }
                if (request.since() != null) {
                    target.append(sep).append("since=").append(encode(request.since()));
                }
                return client.get(server, target.toString());
            }
            var body = Json.objectBuilder().add("include_all_networks", request.includeAllNetworks());
            if (request.limit() != null) {
                body.add("limit", request.limit());
            }
            if (request.since() != null) {
                body.add("since", request.since());
            }
            if (request.filter() != null) {
                body.add("filter", request.filter());
            }
            if (request.thirdPartyInstanceId() != null) {
                body.add("third_party_instance_id", request.thirdPartyInstanceId());
            }
            return client.post(server, "/_matrix/federation/v1/publicRooms", body.build());
        } catch (FederationException e) {
            // As Synapse answers when the other server cannot be asked.
            throw new MatrixException(ErrorCode.UNKNOWN, 502, "Failed to fetch room list from " + server);
        }
    }

    /** A 404 of the other server is "none"; no answer at all is a 502, as Synapse has it. */
    private JsonObject ask(String server, String target, String notFound) {
        try {
            return client.get(server, target);
        } catch (FederationException e) {
            if (e.status() == 404) {
                throw new MatrixException(ErrorCode.NOT_FOUND, notFound);
            }
            throw new MatrixException(ErrorCode.UNKNOWN, 502, "Could not ask " + server + ": " + e.getMessage());
        }
    }

    private static String text(JsonObject o, String key) {
        return o.get(key) instanceof JsonString s ? s.getString() : null;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
