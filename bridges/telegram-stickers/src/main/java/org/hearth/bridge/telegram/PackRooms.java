package org.hearth.bridge.telegram;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Enables a room pack for one user everywhere (spec "User image packs"): adds the room and state key to the user's
 * {@code m.image_pack.rooms} account data and to MSC2545's {@code im.ponies.emote_rooms}, keeping every other entry.
 * Needs the user's own access token (an appservice cannot write a user's account data outside its namespace).
 */
public final class PackRooms {
    static final List<String> TYPES = List.of("m.image_pack.rooms", "im.ponies.emote_rooms");

    private final URI base;
    private final String userToken;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public PackRooms(URI homeserver, String userToken) {
        this.base = URI.create(homeserver.toString().replaceAll("/+$", ""));
        this.userToken = userToken;
    }

    /** The user ID the token belongs to. */
    public String enable(String roomId, String stateKey) {
        String user = send("GET", "/_matrix/client/v3/account/whoami", null).getString("user_id");
        for (String type : TYPES) {
            String path = "/_matrix/client/v3/user/" + enc(user) + "/account_data/" + enc(type);
            JsonObject current = send("GET", path, null);
            JsonObject rooms = current.get("rooms") instanceof JsonObject r ? r : JsonValue.EMPTY_JSON_OBJECT;
            JsonObject packs = rooms.get(roomId) instanceof JsonObject p ? p : JsonValue.EMPTY_JSON_OBJECT;
            if (packs.containsKey(stateKey)) {
                continue;
            }
            JsonObject updated = Json.createObjectBuilder(current).add("rooms", Json.createObjectBuilder(rooms)
                    .add(roomId, Json.createObjectBuilder(packs).add(stateKey, JsonValue.EMPTY_JSON_OBJECT))).build();
            send("PUT", path, updated);
        }
        return user;
    }

    private JsonObject send(String method, String path, JsonObject body) {
        var request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + userToken)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() == 404 && method.equals("GET")) {
                return JsonValue.EMPTY_JSON_OBJECT;   // no account data of that type yet
            }
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + ": HTTP " + response.statusCode() + " " + response.body());
            }
            return Json.createReader(new StringReader(response.body())).readObject();
        } catch (IOException e) {
            throw new IllegalStateException("homeserver unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
