package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.hearth.core.room.EventDraft;
import org.hearth.core.room.RoomEngine;
import org.hearth.core.room.RoomReader;
import org.hearth.core.room.StoredEvent;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.crypto.SigningKey;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.Pdu;
import org.hearth.spec.event.StateKey;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;
import org.hearth.spec.room.RoomVersion;

/**
 * Spec: Server-Server API, "Joining Rooms": {@code GET /v1/make_join/{roomId}/{userId}} and
 * {@code PUT /v2/send_join/{roomId}/{eventId}}; mounted at /_matrix/federation.
 */
public final class JoinRoutes implements HttpService {
    private final FederationAuth auth;
    private final RoomReader reader;
    private final RoomEngine engine;
    private final RoomAccess access;
    private final PduChecks checks;
    private final String ownName;
    private final SigningKey key;

    public JoinRoutes(FederationAuth auth, RoomReader reader, RoomEngine engine, RoomAccess access, PduChecks checks,
                      String ownName, SigningKey key) {
        this.key = key;
        this.auth = auth;
        this.reader = reader;
        this.engine = engine;
        this.access = access;
        this.checks = checks;
        this.ownName = ownName;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/v1/make_join/{roomId}/{userId}", auth.authenticated((q, r, f) -> make(q, r, f, "join")))
                .any("/v1/make_join/{roomId}/{userId}", FederationJson::wrongMethod)
                .put("/v2/send_join/{roomId}/{eventId}", auth.authenticated(this::sendJoin))
                .any("/v2/send_join/{roomId}/{eventId}", FederationJson::wrongMethod)
                .get("/v1/make_leave/{roomId}/{userId}", auth.authenticated((q, r, f) -> make(q, r, f, "leave")))
                .any("/v1/make_leave/{roomId}/{userId}", FederationJson::wrongMethod)
                .put("/v2/send_leave/{roomId}/{eventId}", auth.authenticated(this::sendLeave))
                .any("/v2/send_leave/{roomId}/{eventId}", FederationJson::wrongMethod)
                .get("/v1/make_knock/{roomId}/{userId}", auth.authenticated((q, r, f) -> make(q, r, f, "knock")))
                .any("/v1/make_knock/{roomId}/{userId}", FederationJson::wrongMethod)
                .put("/v1/send_knock/{roomId}/{eventId}", auth.authenticated(this::sendKnock))
                .any("/v1/send_knock/{roomId}/{eventId}", FederationJson::wrongMethod)
                .put("/v2/invite/{roomId}/{eventId}", auth.authenticated(this::invite))
                .any("/v2/invite/{roomId}/{eventId}", FederationJson::wrongMethod)
                .put("/v1/invite/{roomId}/{eventId}", auth.authenticated(this::inviteV1))
                .any("/v1/invite/{roomId}/{eventId}", FederationJson::wrongMethod);
    }

    private RoomVersion knownRoom(RoomId room, String origin) {
        RoomVersion version = reader.version(room)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Room " + room + " is not known here"));
        access.checkAcl(origin, room);
        return version;
    }

    private static RoomId room(ServerRequest req) {
        String raw = req.path().pathParameters().get("roomId");
        return RoomId.tryParse(raw).orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM,
                "Invalid room ID " + raw));
    }

    /** Spec: make_join, make_leave and make_knock: the template of the user's next membership event. */
    private void make(ServerRequest req, ServerResponse res, FederationRequest request, String membership) {
        RoomId room = room(req);
        String rawUser = req.path().pathParameters().get("userId");
        UserId user = UserId.tryParse(rawUser).orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM,
                "Invalid user ID " + rawUser));
        RoomVersion version = knownRoom(room, request.origin());
        if (!user.domain().equals(request.origin())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "A server can only make " + membership
                    + " events for its own users");
        }
        // Spec: without ver the remote supports only version 1 (make_leave takes no ver).
        List<String> supported = req.query().all("ver", () -> List.of("1"));
        boolean incompatible = membership.equals("knock") ? !supported.contains(version.id()) || !version.knockJoinRule()
                : membership.equals("join") && !supported.contains(version.id());
        if (incompatible) {
            // Spec: the error carries the room's version.
            res.status(io.helidon.http.Status.BAD_REQUEST_400);
            res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
            res.send(Json.objectBuilder().add("errcode", "M_INCOMPATIBLE_ROOM_VERSION")
                    .add("error", "Room version " + version.id() + " is not supported by the joining server")
                    .add("room_version", version.id()).build().toString());
            return;
        }
        JsonObject template = engine.template(room, user, EventDraft.state("m.room.member", user.value(),
                Json.objectBuilder().add("membership", membership).build()));
        FederationJson.reply(res, Json.objectBuilder().add("room_version", version.id()).add("event", template)
                .build());
    }

    /** Spec: "Inviting to a room", {@code PUT /v2/invite}: co-signs an invite of one of this server's users. */
    private void invite(ServerRequest req, ServerResponse res, FederationRequest request) {
        JsonObject body = request.json();
        if (!(body.get("event") instanceof JsonObject event)
                || !(body.get("room_version") instanceof jakarta.json.JsonString versionText)) {
            throw new MatrixException(ErrorCode.BAD_JSON, "event and room_version are required");
        }
        RoomVersion version = RoomVersion.find(versionText.getString()).orElse(null);
        if (version == null) {
            res.status(io.helidon.http.Status.BAD_REQUEST_400);
            res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
            res.send(Json.objectBuilder().add("errcode", "M_INCOMPATIBLE_ROOM_VERSION")
                    .add("error", "Room version " + versionText.getString() + " is not supported")
                    .add("room_version", versionText.getString()).build().toString());
            return;
        }
        jakarta.json.JsonArray state = body.get("invite_room_state") instanceof jakarta.json.JsonArray a ? a
                : jakarta.json.Json.createArrayBuilder().build();
        FederationJson.reply(res, Json.objectBuilder()
                .add("event", coSignInvite(req, request, version, event, state)).build());
    }

    /**
     * Spec: {@code PUT /v1/invite} (deprecated): the body is the invite event itself, its stripped state in
     * {@code unsigned.invite_room_state}, the room version unknown to the protocol, so taken from the room when this
     * server knows it and else version 1 (as Synapse does); the answer is {@code [200, {"event": ...}]}.
     */
    private void inviteV1(ServerRequest req, ServerResponse res, FederationRequest request) {
        JsonObject event = request.json();
        RoomVersion version = RoomId.tryParse(req.path().pathParameters().get("roomId"))
                .flatMap(reader::version).orElse(RoomVersion.find("1").orElseThrow());
        jakarta.json.JsonArray state = event.get("unsigned") instanceof JsonObject unsigned
                && unsigned.get("invite_room_state") instanceof jakarta.json.JsonArray a ? a
                : jakarta.json.Json.createArrayBuilder().build();
        JsonObject signed = coSignInvite(req, request, version, event, state);
        res.header(io.helidon.http.HeaderNames.CONTENT_TYPE, "application/json");
        res.send(jakarta.json.Json.createArrayBuilder().add(200)
                .add(Json.objectBuilder().add("event", signed)).build().toString());
    }

    /** The invite checks of both versions; stores the invite when this server is not in the room, returns it signed. */
    private JsonObject coSignInvite(ServerRequest req, FederationRequest request, RoomVersion version, JsonObject event,
                                    jakarta.json.JsonArray state) {
        RoomId room = room(req);
        String eventId = req.path().pathParameters().get("eventId");
        if (reader.version(room).isPresent()) {
            access.checkAcl(request.origin(), room);
        }
        Pdu pdu = switch (checks.check(version, event)) {
            case PduChecks.Checked.Dropped(String reason) -> throw new MatrixException(ErrorCode.BAD_JSON, reason);
            case PduChecks.Checked.Usable(Pdu usable, boolean redacted) -> usable;
        };
        String target = pdu.stateKey().orElse("");
        if (!pdu.eventId().equals(eventId) || !room.value().equals(pdu.roomId().orElse(null))
                || !"m.room.member".equals(pdu.type()) || !"invite".equals(pdu.content().getString("membership", ""))) {
            throw new MatrixException(ErrorCode.BAD_JSON, "Not an invite event of this room and ID");
        }
        if (!UserId.tryParse(target).map(UserId::domain).orElse("").equals(ownName)) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The invited user is not of this server");
        }
        if (!UserId.tryParse(pdu.sender()).map(UserId::domain).orElse("").equals(request.origin())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The invite's sender is not of the requesting server");
        }
        JsonObject signed = org.hearth.spec.event.EventSigning.sign(version, pdu.json(), ownName, key);
        // Not resident (never joined, or every local member left): the invite reaches us only through this call.
        if (reader.version(room).isEmpty() || !access.hostInRoom(ownName, room)) {
            JsonObject unsigned = signed.get("unsigned") instanceof JsonObject u ? u : Json.objectBuilder().build();
            JsonObject kept = Json.objectBuilder(signed).add("unsigned", Json.objectBuilder(unsigned)
                    .add("invite_room_state", state)).build();
            engine.storeRemoteMembership(room, new Pdu(pdu.eventId(), kept));
        }
        return signed;
    }

    /**
     * The checks send_join, send_leave and send_knock share: a valid PDU of this room and ID, the sender's own
     * membership event of that kind, from the sender's server, accepted by the room's current state.
     */
    private StoredEvent receiveMembership(ServerRequest req, FederationRequest request, String membership) {
        RoomId room = room(req);
        String eventId = req.path().pathParameters().get("eventId");
        RoomVersion version = knownRoom(room, request.origin());
        Pdu pdu = switch (checks.check(version, request.json())) {
            case PduChecks.Checked.Dropped(String reason) -> throw new MatrixException(ErrorCode.BAD_JSON, reason);
            case PduChecks.Checked.Usable(Pdu usable, boolean redacted) -> usable;
        };
        if (!pdu.eventId().equals(eventId) || !room.value().equals(pdu.roomId().orElse(null))) {
            throw new MatrixException(ErrorCode.BAD_JSON, "The event's ID or room does not match the path");
        }
        String sender = pdu.sender();
        if (!"m.room.member".equals(pdu.type()) || !sender.equals(pdu.stateKey().orElse(null))
                || !membership.equals(pdu.content().getString("membership", ""))) {
            throw new MatrixException(ErrorCode.BAD_JSON, "send_" + membership + " takes a " + membership
                    + " event of its sender");
        }
        if (!UserId.tryParse(sender).map(UserId::domain).orElse("").equals(request.origin())) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The event's sender is not of the requesting server");
        }
        StoredEvent stored;
        try {
            stored = engine.receive(room, pdu);
        } catch (RoomEngine.MissingPrevEvents e) {
            throw new MatrixException(ErrorCode.BAD_JSON, e.getMessage());
        }
        if (stored.rejected()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The join was rejected: " + stored.rejectedReason());
        }
        if (stored.softFailed()) {
            throw new MatrixException(ErrorCode.FORBIDDEN, "The " + membership
                    + " is not allowed by the room's current state");
        }
        return stored;
    }

    /** Spec: {@code PUT /v2/send_leave}: an empty object once the leave is in the room. */
    private void sendLeave(ServerRequest req, ServerResponse res, FederationRequest request) {
        receiveMembership(req, request, "leave");
        FederationJson.reply(res, JsonObject.EMPTY_JSON_OBJECT);
    }

    /** Spec: {@code PUT /v1/send_knock}: the room's stripped state, as full PDUs (create event included). */
    private void sendKnock(ServerRequest req, ServerResponse res, FederationRequest request) {
        StoredEvent stored = receiveMembership(req, request, "knock");
        Map<StateKey, String> state = reader.stateIdsAfter(stored);
        JsonArrayBuilder pdus = Json.arrayBuilder();
        for (String type : STRIPPED) {
            String id = state.get(StateKey.of(type, ""));
            if (id != null) {
                reader.event(id).ifPresent(e -> pdus.add(e.pdu().json()));
            }
        }
        FederationJson.reply(res, Json.objectBuilder().add("knock_room_state", pdus).build());
    }

    // Spec: "Stripped state", what a knocking or invited user sees of the room.
    static final List<String> STRIPPED = List.of("m.room.create", "m.room.join_rules", "m.room.name",
            "m.room.avatar", "m.room.canonical_alias", "m.room.encryption", "m.room.topic");

    private void sendJoin(ServerRequest req, ServerResponse res, FederationRequest request) {
        StoredEvent stored = receiveMembership(req, request, "join");
        Map<StateKey, String> state = reader.stateIdsBefore(stored);
        JsonArrayBuilder pdus = Json.arrayBuilder();
        for (String id : state.values()) {
            reader.event(id).ifPresent(e -> pdus.add(e.pdu().json()));
        }
        JsonArrayBuilder chain = Json.arrayBuilder();
        for (StoredEvent e : EventRoutes.authChain(reader, state.values())) {
            chain.add(e.pdu().json());
        }
        FederationJson.reply(res, Json.objectBuilder().add("origin", ownName).add("state", pdus)
                .add("auth_chain", chain).add("members_omitted", false).build());
    }
}
