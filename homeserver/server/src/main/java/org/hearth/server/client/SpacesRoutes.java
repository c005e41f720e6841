package org.hearth.server.client;

import static org.hearth.server.client.RoomAccess.path;
import static org.hearth.server.client.RoomAccess.query;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;
import org.hearth.core.spaces.SpaceHierarchy;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Spaces" ({@code GET /rooms/{roomId}/hierarchy}); mounted at /_matrix/client/v1. */
public final class SpacesRoutes implements HttpService {
    // Synapse's default depth when the client names none.
    static final int DEFAULT_MAX_DEPTH = SpaceHierarchy.MAX_DEPTH;

    private final Authenticator auth;
    private final SpaceHierarchy hierarchy;

    public SpacesRoutes(Authenticator auth, SpaceHierarchy hierarchy) {
        this.auth = auth;
        this.hierarchy = hierarchy;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/rooms/{roomId}/hierarchy", this::hierarchy)
                .any("/rooms/{roomId}/hierarchy", MatrixErrors::wrongMethod);
    }

    private void hierarchy(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String raw = path(req, "roomId");
        // Spec: 403 for a room that does not exist, as for one the user cannot view.
        RoomId room = RoomId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.FORBIDDEN, "You cannot view the room " + raw));
        boolean suggestedOnly = switch (query(req, "suggested_only").orElse("false")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, "suggested_only must be true or false");
        };
        int limit = integer(req, "limit", SpaceHierarchy.DEFAULT_LIMIT, 1, SpaceHierarchy.MAX_LIMIT);
        int maxDepth = integer(req, "max_depth", DEFAULT_MAX_DEPTH, 0, SpaceHierarchy.MAX_DEPTH);
        SpaceHierarchy.Page page = hierarchy.hierarchy(who.userId(), room, suggestedOnly, maxDepth, limit,
                query(req, "from").orElse(null));
        JsonArrayBuilder rooms = Json.arrayBuilder();
        page.rooms().forEach(r -> rooms.add(r.json()));
        JsonObjectBuilder out = Json.objectBuilder().add("rooms", rooms);
        if (page.nextBatch() != null) {
            out.add("next_batch", page.nextBatch());
        }
        Reply.json(res, 200, out.build());
    }

    private static int integer(ServerRequest req, String name, int fallback, int min, int max) {
        String raw = query(req, name).orElse(null);
        if (raw == null) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(raw);
            if (v < min) {
                throw new NumberFormatException();
            }
            return Math.min(v, max);
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, name + " must be an integer of at least " + min);
        }
    }
}
