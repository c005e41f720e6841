package org.hearth.server.client;

import static org.hearth.server.client.RoomAccess.optionalString;
import static org.hearth.server.client.RoomAccess.path;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonValue;
import org.hearth.core.room.Membership;
import org.hearth.core.room.RoomAliases;
import org.hearth.core.room.Rooms;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.auth.PowerLevels;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Room aliases" ({@code /directory/room/{roomAlias}}, {@code /rooms/{roomId}/aliases}). */
public final class DirectoryRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody body;
    private final Rooms rooms;
    private final String serverName;
    private final RoomAccess access;

    public DirectoryRoutes(Authenticator auth, JsonBody body, Rooms rooms, String serverName) {
        this.auth = auth;
        this.body = body;
        this.rooms = rooms;
        this.serverName = serverName;
        this.access = new RoomAccess(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.put("/directory/room/{roomAlias}", this::create)
                .get("/directory/room/{roomAlias}", this::resolve)
                .delete("/directory/room/{roomAlias}", this::delete)
                .get("/rooms/{roomId}/aliases", this::aliases)
                .any("/directory/room/{roomAlias}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/aliases", MatrixErrors::wrongMethod);
    }

    private RoomAlias alias(ServerRequest req) {
        String raw = path(req, "roomAlias");
        return RoomAlias.tryParse(raw).orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid room alias " + raw));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomAlias alias = alias(req);
        String roomId = optionalString(body.read(req), "room_id");
        if (roomId == null) {
            throw new MatrixException(ErrorCode.BAD_JSON, "room_id is required");
        }
        if (!alias.serverName().value().equals(serverName)) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Aliases of another server cannot be created here");
        }
        RoomId room = access.roomOrAlias(roomId);
        try {
            rooms.aliases().create(alias, room, who.userId());
        } catch (MatrixException e) {
            if (e.code() == ErrorCode.ROOM_IN_USE) { // spec: 409 when the alias exists; the unique key decides, no race
                throw new MatrixException(ErrorCode.UNKNOWN, 409, e.getMessage());
            }
            throw e;
        }
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void resolve(ServerRequest req, ServerResponse res) {
        RoomAlias alias = alias(req);
        if (!alias.serverName().value().equals(serverName)) {
            var remote = rooms.remoteQueries().alias(alias);
            var servers = Json.arrayBuilder();
            remote.servers().forEach(servers::add);
            Reply.json(res, 200, Json.objectBuilder().add("room_id", remote.room().value()).add("servers", servers)
                    .build());
            return;
        }
        RoomAliases.Entry entry = rooms.aliases().resolve(alias)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Room alias " + alias.value() + " not found"));
        Reply.json(res, 200, Json.objectBuilder().add("room_id", entry.roomId().value())
                .add("servers", Json.arrayBuilder().add(serverName)).build());
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomAlias alias = alias(req);
        RoomAliases.Entry entry = rooms.aliases().resolve(alias)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Room alias " + alias.value() + " not found"));
        if (!entry.creator().equals(who.userId()) && !who.admin() && !canEditAliases(entry.roomId(), who)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "Only the alias' creator or a room admin may delete it");
        }
        rooms.aliases().delete(alias);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private boolean canEditAliases(RoomId room, Requester who) {
        var version = rooms.reader().version(room).orElseThrow();
        var state = rooms.reader().currentState(room);
        var pduState = new java.util.HashMap<org.hearth.spec.event.StateKey, org.hearth.spec.event.Pdu>();
        state.forEach((k, v) -> pduState.put(k, v.pdu()));
        PowerLevels levels = PowerLevels.fromState(version, pduState);
        return levels.userLevel(who.userId().value()) >= levels.requiredLevel("m.room.canonical_alias", true);
    }

    private void aliases(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        boolean joined = rooms.reader().membership(room, who.userId())
                .map(m -> m.membership().equals(Membership.JOIN)).orElse(false);
        if (!joined && !access.visibility().worldReadable(room)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "You are not joined to this room");
        }
        JsonArrayBuilder out = Json.arrayBuilder();
        rooms.aliases().aliasesOf(room).forEach(a -> out.add(a.value()));
        Reply.json(res, 200, Json.objectBuilder().add("aliases", out).build());
    }
}
