package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import java.util.Optional;
import org.hearth.core.directory.RoomSummary;
import org.hearth.core.room.Membership;
import org.hearth.core.room.Rooms;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Room summaries" ({@code GET /room_summary/{roomIdOrAlias}}); mounted at
 * /_matrix/client/v1. Rooms known here only: asking the {@code via} servers needs federation.
 */
public final class RoomSummaryRoutes implements HttpService {
    private final Authenticator auth;
    private final Rooms rooms;
    private final RoomAccess access;

    public RoomSummaryRoutes(Authenticator auth, Rooms rooms) {
        this.auth = auth;
        this.rooms = rooms;
        this.access = new RoomAccess(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/room_summary/{roomIdOrAlias}", this::summary)
                .any("/room_summary/{roomIdOrAlias}", MatrixErrors::wrongMethod);
    }

    private void summary(ServerRequest req, ServerResponse res) {
        // Unauthenticated requests are allowed (the spec's MAY, as Synapse): they see public rooms only.
        Optional<Requester> who = auth.optional(req);
        RoomId room;
        try {
            room = access.roomOrAlias(ClientPaths.param(req, "roomIdOrAlias"));
        } catch (MatrixException e) {
            throw notFound();
        }
        RoomSummary s = rooms.directory().summaries().current(room).orElseThrow(RoomSummaryRoutes::notFound);
        Optional<String> membership = who.flatMap(w -> rooms.reader().membership(room, w.userId()))
                .map(Membership::membership);
        if (!accessible(s, membership, who)) {
            // As Synapse: a room the requester may not see is indistinguishable from an unknown one.
            throw notFound();
        }
        JsonObjectBuilder out = PublicRoomsRoutes.chunkEntry(s, rooms.directory().summaries().joinedMembers(room))
                .add("room_version", s.roomVersion());
        s.encryption().ifPresent(v -> out.add("encryption", v));
        if (!s.allowedRoomIds().isEmpty()) {
            JsonArrayBuilder allowed = Json.arrayBuilder();
            s.allowedRoomIds().forEach(allowed::add);
            out.add("allowed_room_ids", allowed);
        }
        who.ifPresent(w -> out.add("membership", membership.orElse(Membership.LEAVE)));
        Reply.json(res, 200, out.build());
    }

    /**
     * Spec (and Synapse): public, knock and knock_restricted rooms and world-readable ones for anyone; otherwise
     * joined or invited members, and for restricted rooms members of a room the join rule allows.
     */
    private boolean accessible(RoomSummary s, Optional<String> membership, Optional<Requester> who) {
        if (s.worldReadable() || s.joinRule().equals("public") || s.joinRule().equals("knock")
                || s.joinRule().equals("knock_restricted")) {
            return true;
        }
        if (membership.isPresent() && (membership.get().equals(Membership.JOIN)
                || membership.get().equals(Membership.INVITE))) {
            return true;
        }
        if (who.isPresent() && s.joinRule().equals("restricted")) {
            for (String allowed : s.allowedRoomIds()) {
                Optional<RoomId> id = RoomId.tryParse(allowed);
                if (id.isPresent() && rooms.reader().membership(id.get(), who.get().userId())
                        .map(m -> m.membership().equals(Membership.JOIN)).orElse(false)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static MatrixException notFound() {
        return new MatrixException(ErrorCode.NOT_FOUND, "Room not found or is not accessible");
    }
}
