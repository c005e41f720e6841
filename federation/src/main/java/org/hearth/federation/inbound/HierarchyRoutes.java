package org.hearth.federation.inbound;

import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import org.hearth.core.spaces.SpaceHierarchy;
import org.hearth.federation.auth.FederationAuth;
import org.hearth.federation.auth.FederationRequest;
import org.hearth.federation.http.FederationJson;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.id.RoomId;
import org.hearth.spec.json.Json;

/**
 * Spec: Server-Server API, "Spaces": {@code GET /hierarchy/{roomId}}, a space and its children as the requesting
 * server may see them, unpaginated; mounted at /_matrix/federation/v1.
 */
public final class HierarchyRoutes implements HttpService {
    private final FederationAuth auth;
    private final SpaceHierarchy hierarchy;
    private final RoomAccess access;

    public HierarchyRoutes(FederationAuth auth, SpaceHierarchy hierarchy, RoomAccess access) {
        this.auth = auth;
        this.hierarchy = hierarchy;
        this.access = access;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/hierarchy/{roomId}", auth.authenticated(this::hierarchy))
                .any("/hierarchy/{roomId}", FederationJson::wrongMethod);
    }

    private void hierarchy(ServerRequest req, ServerResponse res, FederationRequest request) {
        String raw = req.path().pathParameters().get("roomId");
        RoomId room = RoomId.tryParse(raw)
                .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "Unknown room " + raw));
        boolean suggestedOnly = switch (req.query().first("suggested_only").orElse("false")) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new MatrixException(ErrorCode.INVALID_PARAM, "suggested_only must be true or false");
        };
        access.checkAcl(request.origin(), room);
        SpaceHierarchy.ServerView view = hierarchy.forServer(request.origin(), room, suggestedOnly);
        var children = Json.arrayBuilder();
        view.children().forEach(children::add);
        var inaccessible = Json.arrayBuilder();
        view.inaccessibleChildren().forEach(inaccessible::add);
        FederationJson.reply(res, Json.objectBuilder().add("room", view.room().json()).add("children", children)
                .add("inaccessible_children", inaccessible).build());
    }
}
