package org.hearth.plugins.broadcast;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.UUID;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/** Broadcast lists over HTTP, under {@code /_hearth/plugins/broadcast/}, as the calling user (a list's owner). */
@Extension
public final class BroadcastRoutes implements PluginRoutes {
    private final Broadcasts broadcasts;

    public BroadcastRoutes(Homeserver homeserver) {
        this.broadcasts = new Broadcasts(homeserver);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.post("/lists", req -> {
                    JsonObject body = body(req);
                    String name = Broadcasts.name(body.get("name"));
                    List<String> recipients = Broadcasts.recipients(req.user(), body.get("recipients"));
                    return PluginResponse.ok(Json.objectBuilder()
                            .add("list_id", broadcasts.create(req.user(), name, recipients)).build());
                }),
                Route.get("/lists", req -> {
                    var out = Json.arrayBuilder();
                    broadcasts.lists(req.user()).forEach(out::add);
                    return PluginResponse.ok(Json.objectBuilder().add("lists", out).build());
                }),
                Route.get("/lists/{listId}", req -> PluginResponse.ok(broadcasts.list(req.user(), req.pathParam("listId")))),
                Route.put("/lists/{listId}", req -> {
                    String name = Broadcasts.name(body(req).get("name"));
                    broadcasts.rename(req.user(), req.pathParam("listId"), name);
                    return PluginResponse.ok(broadcasts.list(req.user(), req.pathParam("listId")));
                }),
                Route.put("/lists/{listId}/recipients/{userId}", req -> recipient(req, true)),
                Route.delete("/lists/{listId}/recipients/{userId}", req -> recipient(req, false)),
                Route.post("/lists/{listId}/messages", req -> {
                    JsonObject content = Broadcasts.message(body(req));
                    String room = req.pathParam("listId");
                    broadcasts.list(req.user(), room);
                    return PluginResponse.ok(broadcasts.send(req.user(), room, "bc_" + UUID.randomUUID(), content));
                }),
                Route.get("/lists/{listId}/messages/{messageId}", req -> PluginResponse.ok(
                        broadcasts.report(req.user(), req.pathParam("listId"), req.pathParam("messageId")))),
                Route.post("/lists/{listId}/messages/{messageId}/sent", req -> {
                    JsonObject body = body(req);
                    if (!(body.get("user_id") instanceof JsonString user) || !(body.get("event_id") instanceof JsonString event)) {
                        throw new MatrixException(ErrorCode.BAD_JSON, "user_id and event_id are required strings");
                    }
                    String room = req.pathParam("listId");
                    String message = req.pathParam("messageId");
                    broadcasts.report(req.user(), room, message);
                    if (!broadcasts.clientSent(req.user(), room, message, user.getString(), event.getString())) {
                        throw new MatrixException(ErrorCode.NOT_FOUND, "No delivery to " + user.getString()
                                + " waiting for the client");
                    }
                    return PluginResponse.ok(broadcasts.report(req.user(), room, message));
                }));
    }

    private PluginResponse recipient(PluginRequest req, boolean present) {
        String user = Broadcasts.userId(req.user(), req.pathParam("userId"));
        broadcasts.setRecipient(req.user(), req.pathParam("listId"), user, present);
        return PluginResponse.ok(broadcasts.list(req.user(), req.pathParam("listId")));
    }

    private static JsonObject body(PluginRequest req) {
        return req.body().orElseThrow(() -> new MatrixException(ErrorCode.NOT_JSON, "A JSON object body is required"));
    }
}
