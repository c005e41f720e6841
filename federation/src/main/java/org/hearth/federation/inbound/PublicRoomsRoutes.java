package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import org.hearth.core.directory.PublicRoomsJson;
import org.hearth.core.directory.RoomDirectory;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server API, "Public Room Directory": {@code GET} and {@code POST /publicRooms}, this server's
 * published rooms as the Client-Server API lists them; mounted at /_matrix/federation/v1.
 */
public final class PublicRoomsRoutes implements HttpService {
    private final FederationAuth auth;
    private final RoomDirectory directory;

    public PublicRoomsRoutes(FederationAuth auth, RoomDirectory directory) {
        this.auth = auth;
        this.directory = directory;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/publicRooms", auth.authenticated(this::listGet))
                .post("/publicRooms", auth.authenticated(this::listPost))
                .any("/publicRooms", FederationJson::wrongMethod);
    }

    private void listGet(ServerRequest req, ServerResponse res, FederationRequest request) {
        Integer limit = req.query().first("limit").asOptional().map(PublicRoomsRoutes::integer).orElse(null);
        String since = req.query().first("since").orElse(null);
        if (req.query().first("third_party_instance_id").isPresent()
                && !"true".equals(req.query().first("include_all_networks").orElse("false"))) {
            FederationJson.reply(res, nothing());
            return;
        }
        FederationJson.reply(res, PublicRoomsJson.render(directory.list(RoomDirectory.Filter.NONE, limit, since)));
    }

    private void listPost(ServerRequest req, ServerResponse res, FederationRequest request) {
        JsonObject b = request.json();
        Integer limit = switch (b.get("limit")) {
            case null -> null;
            case JsonNumber n when n.isIntegral() -> (int) Math.max(0, Math.min(Integer.MAX_VALUE, n.longValue()));
            case JsonValue v when v == JsonValue.NULL -> null;
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "limit must be an integer");
        };
        String since = switch (b.get("since")) {
            case null -> null;
            case JsonString s -> s.getString();
            case JsonValue v when v == JsonValue.NULL -> null;
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "since must be a string");
        };
        JsonObject filter = switch (b.get("filter")) {
            case null -> null;
            case JsonObject o -> o;
            case JsonValue v when v == JsonValue.NULL -> null;
            default -> throw new MatrixException(ErrorCode.BAD_JSON, "filter must be an object");
        };
        RoomDirectory.Filter parsed = PublicRoomsJson.filter(filter);
        // No application service networks here: a third-party instance lists nothing.
        if (b.get("third_party_instance_id") instanceof JsonString && b.get("include_all_networks") != JsonValue.TRUE) {
            FederationJson.reply(res, nothing());
            return;
        }
        FederationJson.reply(res, PublicRoomsJson.render(directory.list(parsed, limit, since)));
    }

    private static JsonObject nothing() {
        return Json.objectBuilder().add("chunk", Json.arrayBuilder()).add("total_room_count_estimate", 0).build();
    }

    private static int integer(String raw) {
        try {
            return Math.max(0, Integer.parseInt(raw));
        } catch (NumberFormatException e) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "limit must be an integer");
        }
    }
}
