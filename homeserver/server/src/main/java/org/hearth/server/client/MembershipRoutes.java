package org.hearth.server.client;
import java.util.function.Consumer;

import static org.hearth.server.client.RoomAccess.optionalString;
import static org.hearth.server.client.RoomAccess.path;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hearth.core.room.EventDraft;
import org.hearth.core.room.Membership;
import org.hearth.core.room.Rooms;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomAlias;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Room membership" (joining, invites, leaving, kicks, bans, knocking, joined rooms);
 * mounted at /_matrix/client/v3 and /_matrix/client/r0. Every change is an m.room.member event that the auth
 * rules check, so the rule's reason is what a refused request answers.
 */
public final class MembershipRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody body;
    private final Rooms rooms;
    private final RoomAccess access;
    private final Consumer<UserId> invitees;

    public MembershipRoutes(Authenticator auth, JsonBody body, Rooms rooms) {
        this(auth, body, rooms, user -> { });
    }

    /** {@code invitees}: sees each invited user first (appservices are asked about unknown users in their namespaces). */
    public MembershipRoutes(Authenticator auth, JsonBody body, Rooms rooms, Consumer<UserId> invitees) {
        this.invitees = invitees;
        this.auth = auth;
        this.body = body;
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/join/{roomIdOrAlias}", this::joinByIdOrAlias)
                .post("/rooms/{roomId}/join", this::join)
                .post("/knock/{roomIdOrAlias}", this::knock)
                .post("/rooms/{roomId}/invite", (req, res) -> changeOther(req, res, Membership.INVITE))
                .post("/rooms/{roomId}/kick", (req, res) -> changeOther(req, res, Membership.LEAVE))
                .post("/rooms/{roomId}/ban", (req, res) -> changeOther(req, res, Membership.BAN))
                .post("/rooms/{roomId}/unban", (req, res) -> changeOther(req, res, Membership.LEAVE))
                .post("/rooms/{roomId}/leave", this::leave)
                .post("/rooms/{roomId}/forget", this::forget)
                .get("/joined_rooms", this::joinedRooms)
                .any("/join/{roomIdOrAlias}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/join", MatrixErrors::wrongMethod)
                .any("/knock/{roomIdOrAlias}", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/invite", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/kick", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/ban", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/unban", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/leave", MatrixErrors::wrongMethod)
                .any("/rooms/{roomId}/forget", MatrixErrors::wrongMethod)
                .any("/joined_rooms", MatrixErrors::wrongMethod);
    }

    private JsonObject optionalBody(ServerRequest req) {
        return req.content().hasEntity() ? body.read(req) : JsonValue.EMPTY_JSON_OBJECT;
    }

    private void joinByIdOrAlias(ServerRequest req, ServerResponse res) {
        joinAt(req, res, path(req, "roomIdOrAlias"));
    }

    private void join(ServerRequest req, ServerResponse res) {
        joinAt(req, res, roomIdPath(req));
    }

    private void joinAt(ServerRequest req, ServerResponse res, String raw) {
        Requester who = auth.require(req);
        JsonObject b = optionalBody(req);
        Address address = address(req, who, raw);
        if (address.remote()) {
            JsonObject content = rooms.memberProfiles().content(who.userId(), Membership.JOIN, optionalString(b, "reason"));
            rooms.remoteMembership().join(who.userId(), address.room(), address.servers(), content);
            Reply.json(res, 200, Json.objectBuilder().add("room_id", address.room().value()).build());
            return;
        }
        joinRoom(who, address.room(), b, res);
    }

    private static String roomIdPath(ServerRequest req) {
        String raw = path(req, "roomId");
        if (RoomId.tryParse(raw).isEmpty()) {
            throw new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + raw);
        }
        return raw;
    }

    private void joinRoom(Requester who, RoomId room, JsonObject b, ServerResponse res) {
        rooms.engine().send(room, who.userId(), memberDraft(who.userId(), Membership.JOIN, b), null);
        Reply.json(res, 200, Json.objectBuilder().add("room_id", room.value()).build());
    }

    /**
     * Where a membership change happens. {@code remote}: this server is not resident in the room (does not have it,
     * or none of its users is joined), so the change goes through one of {@code servers} over federation.
     */
    private record Address(RoomId room, boolean remote, List<String> servers) {}

    /**
     * Resolves a room ID or alias (another server's alias over federation). The servers to ask: the alias'
     * answer, {@code server_name}/{@code via}, the room ID's server, the servers of the invite or knock the user
     * has, and the servers with members joined in the state this server last had.
     */
    private Address address(ServerRequest req, Requester who, String raw) {
        String own = who.userId().domain();
        Set<String> servers = new LinkedHashSet<>();
        RoomId room;
        if (raw.startsWith("#")) {
            RoomAlias alias = RoomAlias.tryParse(raw)
                    .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid room alias " + raw));
            if (alias.serverName().value().equals(own)) {
                room = access.roomOrAlias(raw);
            } else {
                var resolved = rooms.remoteQueries().alias(alias);
                room = resolved.room();
                servers.addAll(resolved.servers());
                servers.add(alias.serverName().value());
            }
        } else {
            room = RoomId.tryParse(raw)
                    .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "Invalid room ID or alias " + raw));
        }
        servers.addAll(req.query().all("server_name", List::of));
        servers.addAll(req.query().all("via", List::of));
        int colon = room.value().indexOf(':');
        if (colon > 0) {
            servers.add(room.value().substring(colon + 1));
        }
        boolean known = rooms.reader().version(room).isPresent();
        boolean resident = false;
        if (known) {
            for (Membership m : rooms.reader().members(room)) {
                if (Membership.JOIN.equals(m.membership())) {
                    String domain = UserId.tryParse(m.userId()).map(UserId::domain).orElse("");
                    resident |= domain.equals(own);
                    servers.add(domain);
                }
            }
        }
        rooms.reader().membership(room, who.userId()).flatMap(m -> rooms.reader().event(m.eventId()))
                .ifPresent(e -> {
                    UserId.tryParse(e.sender()).ifPresent(sender -> servers.add(sender.domain()));
                    strippedStateSenders(e.pdu().json(), servers);
                });
        servers.remove(own);
        return new Address(room, !resident && !servers.isEmpty() || !known, List.copyOf(servers));
    }

    private static void strippedStateSenders(JsonObject event, Set<String> servers) {
        if (!(event.get("unsigned") instanceof JsonObject unsigned)) {
            return;
        }
        for (String key : List.of("invite_room_state", "knock_room_state")) {
            if (unsigned.get(key) instanceof jakarta.json.JsonArray state) {
                for (JsonValue v : state) {
                    if (v instanceof JsonObject o && o.get("sender") instanceof jakarta.json.JsonString sender) {
                        UserId.tryParse(sender.getString()).ifPresent(u -> servers.add(u.domain()));
                    }
                }
            }
        }
    }

    private void knock(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject b = optionalBody(req);
        Address address = address(req, who, path(req, "roomIdOrAlias"));
        if (address.remote()) {
            rooms.remoteMembership().knock(who.userId(), address.room(), address.servers(),
                    memberDraft(who.userId(), Membership.KNOCK, b).content());
        } else {
            rooms.engine().send(address.room(), who.userId(), memberDraft(who.userId(), Membership.KNOCK, b), null);
        }
        Reply.json(res, 200, Json.objectBuilder().add("room_id", address.room().value()).build());
    }

    private void changeOther(ServerRequest req, ServerResponse res, String membership) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        JsonObject b = body.read(req);
        String target = optionalString(b, "user_id");
        if (target == null) {
            throw new MatrixException(ErrorCode.BAD_JSON, "user_id is required");
        }
        UserId user = RoomAccess.userId(target);
        if (membership.equals(Membership.INVITE)) {
            invitees.accept(user);
            // Spec: inviting a user who is already joined is refused with 403.
            rooms.reader().membership(room, user).filter(m -> m.membership().equals(Membership.JOIN)).ifPresent(m -> {
                throw new MatrixException(ErrorCode.FORBIDDEN, target + " is already in the room");
            });
        }
        if (membership.equals(Membership.INVITE) && !user.domain().equals(who.userId().domain())) {
            rooms.remoteMembership().invite(room, who.userId(), user, memberDraft(user, membership, b).content());
        } else {
            rooms.engine().send(room, who.userId(), memberDraft(user, membership, b), null);
        }
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void leave(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject b = optionalBody(req);
        Address address = address(req, who, roomIdPath(req));
        var membership = rooms.reader().membership(address.room(), who.userId()).map(Membership::membership);
        // Rejecting an invite or rescinding a knock in a room this server is not resident in: through its servers.
        if (address.remote() && membership.filter(m -> m.equals(Membership.INVITE) || m.equals(Membership.KNOCK))
                .isPresent()) {
            rooms.remoteMembership().leave(who.userId(), address.room(), address.servers(),
                    memberDraft(who.userId(), Membership.LEAVE, b).content());
            Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
            return;
        }
        RoomId room = access.room(req);
        rooms.engine().send(room, who.userId(), memberDraft(who.userId(), Membership.LEAVE, b), null);
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void forget(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        var membership = rooms.reader().membership(room, who.userId());
        if (membership.isPresent() && (membership.get().membership().equals(Membership.JOIN)
                || membership.get().membership().equals(Membership.INVITE))) {
            throw new MatrixException(ErrorCode.UNKNOWN, "You must leave the room before forgetting it");
        }
        rooms.reader().forget(room, who.userId());
        Reply.json(res, 200, JsonValue.EMPTY_JSON_OBJECT);
    }

    private void joinedRooms(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonArrayBuilder joined = Json.arrayBuilder();
        rooms.reader().memberships(who.userId()).stream()
                .filter(m -> m.membership().equals(Membership.JOIN))
                .forEach(m -> joined.add(m.roomId()));
        Reply.json(res, 200, Json.objectBuilder().add("joined_rooms", joined).build());
    }

    private EventDraft memberDraft(UserId target, String membership, JsonObject b) {
        return EventDraft.state("m.room.member", target.value(),
                rooms.memberProfiles().content(target, membership, optionalString(b, "reason")));
    }
}
