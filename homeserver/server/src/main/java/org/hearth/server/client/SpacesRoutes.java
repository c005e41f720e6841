package org.hearth.server.client;

import static org.hearth.server.client.RoomAccess.path;
import static org.hearth.server.client.RoomAccess.query;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import java.util.Map;
import org.hearth.core.room.StoredEvent;
import org.hearth.core.spaces.SpaceHierarchy;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.event.StateKey;
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
        page.rooms().forEach(r -> rooms.add(summary(r)));
        JsonObjectBuilder out = Json.objectBuilder().add("rooms", rooms);
        if (page.nextBatch() != null) {
            out.add("next_batch", page.nextBatch());
        }
        Reply.json(res, 200, out.build());
    }

    /** room_summary.yaml plus children_state: m.space.child events stripped, with their origin_server_ts. */
    static JsonObject summary(SpaceHierarchy.Room r) {
        Map<StateKey, StoredEvent> state = r.state();
        JsonObjectBuilder out = Json.objectBuilder()
                .add("room_id", r.roomId())
                .add("num_joined_members", r.joinedMembers())
                .add("world_readable", "world_readable".equals(string(state, "m.room.history_visibility",
                        "history_visibility")))
                .add("guest_can_join", "can_join".equals(string(state, "m.room.guest_access", "guest_access")));
        putString(out, "name", string(state, "m.room.name", "name"));
        putString(out, "topic", string(state, "m.room.topic", "topic"));
        putString(out, "canonical_alias", string(state, "m.room.canonical_alias", "alias"));
        putString(out, "avatar_url", string(state, "m.room.avatar", "url"));
        putString(out, "join_rule", string(state, "m.room.join_rules", "join_rule"));
        putString(out, "room_type", string(state, "m.room.create", "type"));
        putString(out, "room_version", r.roomVersion());
        putString(out, "encryption", string(state, "m.room.encryption", "algorithm"));
        JsonArrayBuilder children = Json.arrayBuilder();
        for (StoredEvent c : r.children()) {
            children.add(Json.objectBuilder()
                    .add("type", c.type())
                    .add("state_key", c.stateKey().orElse(""))
                    .add("content", c.pdu().content())
                    .add("sender", c.sender())
                    .add("origin_server_ts", c.pdu().originServerTs()));
        }
        out.add("children_state", children);
        return out.build();
    }

    private static String string(Map<StateKey, StoredEvent> state, String type, String field) {
        StoredEvent e = state.get(StateKey.of(type, ""));
        return e != null && e.pdu().content().get(field) instanceof JsonString s ? s.getString() : null;
    }

    private static void putString(JsonObjectBuilder out, String key, String value) {
        if (value != null && !value.isEmpty()) {
            out.add(key, value);
        }
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
