package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.hearth.core.directory.PublicRoomsJson;
import org.hearth.core.directory.RoomDirectory;
import org.hearth.core.directory.RoomSummary;
import org.hearth.core.port.RemoteRoomDirectory;
import org.hearth.core.room.Membership;
import org.hearth.core.room.Rooms;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.ServerName;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Published room directory" ({@code /publicRooms}, {@code /directory/list/room/{roomId}});
 * mounted at /_matrix/client (v3 and r0).
 */
public final class PublicRoomsRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody body;
    private final Rooms rooms;
    private final String serverName;
    private final RemoteRoomDirectory remote;

    public PublicRoomsRoutes(Authenticator auth, JsonBody body, Rooms rooms, String serverName, RemoteRoomDirectory remote) {
        this.auth = auth;
        this.body = body;
        this.rooms = rooms;
        this.serverName = serverName;
        this.remote = remote;
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/publicRooms", on(Method.GET, this::listGet), on(Method.POST, this::listPost));
        route(rules, "/directory/list/room/{roomId}", on(Method.GET, this::visibility), on(Method.PUT, this::setVisibility));
    }

    /** No security in the spec: anyone may read the directory; a token, when given, must still be valid. */
    private void listGet(ServerRequest req, ServerResponse res) {
        auth.optional(req);
        Integer limit = ClientPaths.query(req, "limit") == null ? null : integer(ClientPaths.query(req, "limit"));
        String since = ClientPaths.query(req, "since");
        Optional<ServerName> server = remoteServer(req);
        if (server.isPresent()) {
            Reply.json(res, 200, remote.publicRooms(new RemoteRoomDirectory.Request(server.get(), limit, since, null,
                    false, null)));
            return;
        }
        Reply.json(res, 200, PublicRoomsJson.render(rooms.directory().list(RoomDirectory.Filter.NONE, limit, since)));
    }

    private void listPost(ServerRequest req, ServerResponse res) {
        auth.require(req);
        JsonObject b = body.read(req);
        Integer limit = switch (b.get("limit")) {
            case null -> null;
            case JsonNumber n when n.isIntegral() -> (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n.longValue()));
            case JsonValue v when v == JsonValue.NULL -> null;
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "limit must be an integer");
        };
        String since = RoomAccess.optionalString(b, "since");
        JsonObject filter = RoomAccess.optionalObject(b, "filter");
        JsonValue all = b.get("include_all_networks");
        if (all != null && all != JsonValue.TRUE && all != JsonValue.FALSE && all != JsonValue.NULL) {
            throw new MatrixException(ErrorCode.BAD_JSON, "include_all_networks must be a boolean");
        }
        String thirdParty = RoomAccess.optionalString(b, "third_party_instance_id");
        if (all == JsonValue.TRUE && thirdParty != null) {
            // Spec: third_party_instance_id "can only be used if include_all_networks is false" (Synapse: 400).
            throw new MatrixException(ErrorCode.INVALID_PARAM,
                    "third_party_instance_id cannot be combined with include_all_networks");
        }
        RoomDirectory.Filter parsed = PublicRoomsJson.filter(filter);
        Optional<ServerName> server = remoteServer(req);
        if (server.isPresent()) {
            Reply.json(res, 200, remote.publicRooms(new RemoteRoomDirectory.Request(server.get(), limit, since, filter,
                    all == JsonValue.TRUE, thirdParty)));
            return;
        }
        Reply.json(res, 200, PublicRoomsJson.render(rooms.directory().list(networks(all == JsonValue.TRUE, thirdParty), parsed, limit, since)));
    }

    // An instance ID is "appservice_id|network_id", as /thirdparty/protocols gives it (Synapse's format); the
    // default is the rooms published here only, include_all_networks adds every appservice's listings.
    private static RoomDirectory.Networks networks(boolean all, String thirdPartyInstanceId) {
        if (all) {
            return RoomDirectory.Networks.ALL;
        }
        if (thirdPartyInstanceId == null) {
            return RoomDirectory.Networks.LOCAL;
        }
        int bar = thirdPartyInstanceId.indexOf('|');
        if (bar < 0) {
            return RoomDirectory.Networks.NONE;   // no such instance: nothing listed
        }
        return RoomDirectory.Networks.of(thirdPartyInstanceId.substring(0, bar), thirdPartyInstanceId.substring(bar + 1));
    }

    /** The {@code server} parameter when it names another server; absent or our own name means ours. */
    private Optional<ServerName> remoteServer(ServerRequest req) {
        String server = ClientPaths.query(req, "server");
        if (server == null || server.equals(serverName)) {
            return Optional.empty();
        }
        return Optional.of(ServerName.tryParse(server).orElseThrow(
                () -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid server name: " + server)));
    }

    /** A PublishedRoomsChunk (spec), also the base of a room summary. */
    static JsonObjectBuilder chunkEntry(RoomSummary s, long joinedMembers) {
        return PublicRoomsJson.chunkEntry(s, joinedMembers);
    }

    private static int integer(String raw) {
        try {
            return Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "limit must be an integer");
        }
    }

    private RoomId knownRoom(ServerRequest req) {
        String raw = ClientPaths.param(req, "roomId");
        RoomId room = RoomId.tryParse(raw).orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Room not found"));
        if (rooms.reader().version(room).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Room not found");
        }
        return room;
    }

    private void visibility(ServerRequest req, ServerResponse res) {
        RoomId room = knownRoom(req);
        Reply.json(res, 200, Json.objectBuilder()
                .add("visibility", rooms.directory().isPublished(room) ? "public" : "private").build());
    }

    /**
     * As Synapse: server admins, and members of the room with the power to send m.room.canonical_alias (the spec
     * lets servers add such checks).
     */
    private void setVisibility(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = knownRoom(req);
        JsonObject b = req.content().hasEntity() ? body.read(req) : JsonValue.EMPTY_JSON_OBJECT;
        String visibility = RoomAccess.optionalString(b, "visibility");
        if (visibility == null) {
            visibility = "public";
        }
        if (!visibility.equals("public") && !visibility.equals("private")) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "visibility must be public or private");
        }
        if (!who.admin()) {
            boolean joined = rooms.reader().membership(room, who.userId())
                    .map(m -> m.membership().equals(Membership.JOIN)).orElse(false);
            if (!joined) {
                throw new MatrixException(ErrorCode.FORBIDDEN, "You are not in this room");
            }
            var version = rooms.reader().version(room).orElseThrow();
            var state = new java.util.HashMap<StateKey, Pdu>();
            for (String type : new String[] {"m.room.create", "m.room.power_levels"}) {
                rooms.reader().currentStateEvent(room, type, "").ifPresent(e -> state.put(StateKey.of(type, ""), e.pdu()));
            }
            PowerLevels levels = PowerLevels.fromState(version, state);
            if (levels.userLevel(who.userId().value()) < levels.requiredLevel("m.room.canonical_alias", true)) {
                throw new MatrixException(ErrorCode.FORBIDDEN,
                        "You need the power to change the room's aliases to change its directory listing");
            }
        }
        rooms.directory().setPublished(room, visibility.equals("public"));
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }
}
