package org.hearth.server.client;

import static org.hearth.server.client.ClientPaths.on;
import static org.hearth.server.client.ClientPaths.route;

import io.helidon.http.Method;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import org.hearth.core.room.RoomUpgrades;
import org.hearth.server.http.Authenticator;
import org.hearth.server.http.JsonBody;
import org.hearth.server.http.Reply;
import org.hearth.server.http.Requester;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.id.UserId;
import org.hearth.spec.json.Json;

/** Spec: Client-Server API, "Room upgrades" ({@code POST /rooms/{roomId}/upgrade}); at v3 and r0. */
public final class RoomUpgradeRoutes implements HttpService {
    private final Authenticator auth;
    private final JsonBody body;
    private final RoomAccess access;
    private final RoomUpgrades upgrades;

    public RoomUpgradeRoutes(Authenticator auth, JsonBody body, org.hearth.core.room.Rooms rooms) {
        this.auth = auth;
        this.body = body;
        this.access = new RoomAccess(rooms);
        this.upgrades = new RoomUpgrades(rooms);
    }

    @Override
    public void routing(HttpRules rules) {
        route(rules, "/rooms/{roomId}/upgrade", on(Method.POST, this::upgrade));
    }

    private void upgrade(ServerRequest req, ServerResponse res) {
        Requester who = auth.require(req);
        RoomId room = access.room(req);
        JsonObject b = body.read(req);
        String version = RoomAccess.optionalString(b, "new_version");
        if (version == null) {
            throw new MatrixException(ErrorCode.BAD_JSON, "new_version is required");
        }
        List<UserId> creators = new ArrayList<>();
        for (JsonValue v : RoomAccess.optionalArray(b, "additional_creators")) {
            if (!(v instanceof JsonString s)) {
                throw new MatrixException(ErrorCode.BAD_JSON, "additional_creators must hold user IDs");
            }
            creators.add(RoomAccess.userId(s.getString()));
        }
        RoomId replacement = upgrades.upgrade(room, who.userId(), version, creators);
        Reply.json(res, 200, Json.objectBuilder().add("replacement_room", replacement.value()).build());
    }
}
