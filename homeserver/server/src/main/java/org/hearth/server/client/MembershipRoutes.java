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
        Requester who = auth.require(req);
        String raw = path(req, "roomIdOrAlias");
        JsonObject b = optionalBody(req);
        if (joinedRemotely(req, who, raw, b, res)) {
            return;
        }
        RoomId room = access.roomOrAlias(raw);
        joinRoom(who, room, b, res);
    }

    private void join(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        JsonObject b = optionalBody(req);
        if (joinedRemotely(req, who, path(req, "roomId"), b, res)) {
            return;
        }
        joinRoom(who, access.room(req), b, res);
    }

    private void joinRoom(Requester who, RoomId room, JsonObject b, ServerResponse res) {
        rooms.engine().send(room, who.userId(), memberDraft(who.userId(), Membership.JOIN, b), null);
        Reply.json(res, 200, Json.objectBuilder().add("room_id", room.value()).build());
    }

    /**
     * A room ID this server does not know is joined over federation, through the {@code server_name}/{@code via}
     * servers and the room ID's own server.
     */
    private boolean joinedRemotely(ServerRequest req, Requester who, String raw, JsonObject b, ServerResponse res) {
        if (!raw.startsWith("!")) {
            return false;
        }
        RoomId room = RoomId.tryParse(raw).orElse(null);
        if (room == null || rooms.reader().version(room).isPresent()) {
            return false;
        }
        java.util.List<String> servers = new java.util.ArrayList<>(req.query().all("server_name", java.util.List::of));
        servers.addAll(req.query().all("via", java.util.List::of));
        int colon = raw.indexOf(':');
        if (colon > 0) {
            servers.add(raw.substring(colon + 1));
        }
        JsonObject content = rooms.memberProfiles().content(who.userId(), Membership.JOIN, optionalString(b, "reason"));
        rooms.remoteMembership().join(who.userId(), room, servers, content);
        Reply.json(res, 200, Json.objectBuilder().add("room_id", room.value()).build());
        return true;
    }

    private void knock(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.roomOrAlias(path(req, "roomIdOrAlias"));
        rooms.engine().send(room, who.userId(), memberDraft(who.userId(), Membership.KNOCK, optionalBody(req)), null);
        Reply.json(res, 200, Json.objectBuilder().add("room_id", room.value()).build());
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
        RoomId room = access.room(req);
        rooms.engine().send(room, who.userId(), memberDraft(who.userId(), Membership.LEAVE, optionalBody(req)), null);
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
