package org.hearth.server.client;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import java.util.List;
import org.hearth.core.directory.UserDirectory;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.MatrixErrors;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/**
 * Spec: Client-Server API, "Mutual rooms" ({@code GET /mutual_rooms}); mounted at /_matrix/client/v1. Every
 * shared room comes in one batch, so no {@code next_batch} is ever issued and any {@code from} is invalid.
 */
public final class MutualRoomsRoutes implements HttpService {
    private final Authenticator auth;
    private final UserDirectory users;

    public MutualRoomsRoutes(Authenticator auth, UserDirectory users) {
        this.auth = auth;
        this.users = users;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/mutual_rooms", this::mutualRooms).any("/mutual_rooms", MatrixErrors::wrongMethod);
    }

    private void mutualRooms(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        String raw = ClientPaths.query(req, "user_id");
        if (raw == null) {
            throw new MatrixException(ErrorCode.MISSING_PARAM, "user_id is required");
        }
        if (ClientPaths.query(req, "from") != null) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "Invalid or expired from token");
        }
        UserId other = UserId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.INVALID_PARAM, "The user ID provided was invalid"));
        if (other.equals(who.userId())) {
            throw new MatrixException(ErrorCode.INVALID_PARAM, "You cannot request mutual rooms with yourself");
        }
        List<RoomId> shared = users.mutualRooms(who.userId(), other);
        JsonArrayBuilder joined = Json.arrayBuilder();
        shared.forEach(r -> joined.add(r.value()));
        Reply.json(res, 200, Json.objectBuilder().add("joined", joined).add("count", shared.size()).build());
    }
}
