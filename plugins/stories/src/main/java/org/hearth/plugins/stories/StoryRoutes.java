package org.hearth.plugins.stories;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.util.List;
import java.util.Map;
import org.hearth.plugin.api.Homeserver;
import org.hearth.plugin.api.PluginRequest;
import org.hearth.plugin.api.PluginResponse;
import org.hearth.plugin.api.PluginRoutes;
import org.hearth.spec.error.ErrorCode;
import org.hearth.spec.error.MatrixException;
import org.hearth.spec.json.Json;
import org.pf4j.Extension;

/** Stories over HTTP, under {@code /_hearth/plugins/stories/}, as the calling user. Input is checked before any write. */
@Extension
public final class StoryRoutes implements PluginRoutes {
    private final Stories stories;

    public StoryRoutes(Homeserver homeserver) {
        this.stories = new Stories(homeserver);
    }

    @Override
    public List<Route> routes() {
        return List.of(
                Route.post("/room", req -> ok("room_id", stories.ensureRoom(req.user()))),
                Route.get("/audience", req -> {
                    Map<String, Object> room = stories.roomOf(req.user())
                            .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "You have no story room yet"));
                    return PluginResponse.ok(Json.objectBuilder().add("room_id", (String) room.get("room_id"))
                            .add("audience", (String) room.get("audience"))
                            .add("pending", stories.audiencePending(req.user()))
                            .add("users", Json.parse((String) room.get("selected"))).build());
                }),
                Route.put("/audience", req -> {
                    JsonObject body = body(req);
                    List<String> users = Stories.parseAudience(body);
                    stories.setAudience(req.user(), body.getString("audience"), users);
                    return PluginResponse.ok(Json.objectBuilder().build());
                }),
                Route.post("/stories", req -> ok("event_id", stories.post(req.user(), Stories.parseStory(body(req))))),
                Route.get("/stories", req -> {
                    var out = Json.arrayBuilder();
                    stories.storiesOf(req.user()).forEach(s -> out.add(stories.json(s, true)));
                    return PluginResponse.ok(Json.objectBuilder().add("stories", out).build());
                }),
                Route.get("/stories/{eventId}/views", req -> {
                    var story = stories.ownStory(req.user(), req.pathParam("eventId"));
                    return PluginResponse.ok(Json.objectBuilder().add("event_id", (String) story.get("event_id"))
                            .add("views", stories.views(story)).build());
                }),
                Route.put("/stories/{eventId}/highlight", req -> highlight(req, true)),
                Route.delete("/stories/{eventId}/highlight", req -> highlight(req, false)),
                Route.post("/stories/{eventId}/reply", req -> {
                    JsonObject body = body(req);
                    if (!(body.get("body") instanceof JsonString text) || text.getString().isBlank()
                            || text.getString().length() > 4000) {
                        throw new MatrixException(ErrorCode.BAD_JSON, "body must be a non-empty string of at most 4000 characters");
                    }
                    return PluginResponse.ok(stories.reply(req.user(), req.pathParam("eventId"), text.getString()));
                }),
                Route.get("/highlights/{userId}", req -> {
                    String author = req.pathParam("userId");
                    var room = stories.roomOf(author)
                            .orElseThrow(() -> new MatrixException(ErrorCode.NOT_FOUND, "No stories of " + author));
                    if (!author.equals(req.user()) && stories.homeserver().membership((String) room.get("room_id"),
                            req.user()).filter("join"::equals).isEmpty()) {
                        throw new MatrixException(ErrorCode.FORBIDDEN, "You are not in the audience of " + author);
                    }
                    var out = Json.arrayBuilder();
                    stories.storiesOf(author).stream().filter(s -> Stories.truthy(s.get("highlight")))
                            .forEach(s -> out.add(stories.json(s, false)));
                    return PluginResponse.ok(Json.objectBuilder().add("highlights", out).build());
                }),
                Route.get("/feed", req -> {
                    var out = Json.arrayBuilder();
                    stories.feed(req.user()).forEach(s -> out.add(stories.json(s, false)));
                    return PluginResponse.ok(Json.objectBuilder().add("stories", out).build());
                }),
                Route.get("/mutes", req -> {
                    var out = Json.arrayBuilder();
                    stories.muted(req.user()).stream().sorted().forEach(out::add);
                    return PluginResponse.ok(Json.objectBuilder().add("muted", out).build());
                }),
                Route.put("/mutes/{userId}", req -> {
                    stories.mute(req.user(), req.pathParam("userId"), true);
                    return PluginResponse.ok(Json.objectBuilder().build());
                }),
                Route.delete("/mutes/{userId}", req -> {
                    stories.mute(req.user(), req.pathParam("userId"), false);
                    return PluginResponse.ok(Json.objectBuilder().build());
                }));
    }

    private PluginResponse highlight(PluginRequest req, boolean on) {
        stories.setHighlight(req.user(), req.pathParam("eventId"), on);
        return PluginResponse.ok(Json.objectBuilder().build());
    }

    private static PluginResponse ok(String key, String value) {
        return PluginResponse.ok(Json.objectBuilder().add(key, value).build());
    }

    private static JsonObject body(PluginRequest req) {
        return req.body().orElseThrow(() -> new MatrixException(ErrorCode.NOT_JSON, "A JSON object body is required"));
    }
}
