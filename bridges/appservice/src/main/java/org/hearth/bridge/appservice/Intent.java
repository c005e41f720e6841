package org.hearth.bridge.appservice;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Acting as one user of the bridge's namespace (or its bot) through the {@code as_token}: registered on first use
 * with {@code m.login.application_service}, then joins, sends, profile, media and account data as that user.
 */
public final class Intent {
    private final HomeserverClient client;
    private final String userId;
    private final boolean bot;
    private volatile boolean registered;
    private final Set<String> joined = ConcurrentHashMap.newKeySet();

    Intent(HomeserverClient client, String userId, boolean bot) {
        this.client = client;
        this.userId = userId;
        this.bot = bot;
        this.registered = bot;   // the homeserver creates the sender itself
    }

    public String userId() {
        return userId;
    }

    /** Registers the user unless it exists already ({@code M_USER_IN_USE} is success here). */
    public void ensureRegistered() {
        if (registered) {
            return;
        }
        String localpart = userId.substring(1, userId.indexOf(':'));
        try {
            client.call("POST", "/_matrix/client/v3/register", null, Json.createObjectBuilder()
                    .add("type", "m.login.application_service").add("username", localpart)
                    .add("inhibit_login", true).build());
        } catch (MatrixException e) {
            if (!"M_USER_IN_USE".equals(e.errcode())) {
                throw e;
            }
        }
        registered = true;
    }

    private JsonObject call(String method, String path, JsonObject body) {
        ensureRegistered();
        return client.call(method, path, bot ? null : userId, body);
    }

    /** Joins a room by ID or alias; the room ID. */
    public String join(String roomIdOrAlias) {
        String room = call("POST", "/_matrix/client/v3/join/" + HomeserverClient.enc(roomIdOrAlias),
                Json.createObjectBuilder().build()).getString("room_id");
        joined.add(room);
        return room;
    }

    /** Joins unless this intent has joined the room before (the homeserver is asked once per room). */
    public void ensureJoined(String roomId) {
        if (!joined.contains(roomId)) {
            join(roomId);
        }
    }

    public void invite(String roomId, String invitee) {
        call("POST", "/_matrix/client/v3/rooms/" + HomeserverClient.enc(roomId) + "/invite",
                Json.createObjectBuilder().add("user_id", invitee).build());
    }

    public void leave(String roomId) {
        call("POST", "/_matrix/client/v3/rooms/" + HomeserverClient.enc(roomId) + "/leave", Json.createObjectBuilder().build());
        joined.remove(roomId);
    }

    /** {@code POST /createRoom} with the given body; the room ID (the creator is joined). */
    public String createRoom(JsonObject request) {
        String room = call("POST", "/_matrix/client/v3/createRoom", request).getString("room_id");
        joined.add(room);
        return room;
    }

    public String sendMessage(String roomId, JsonObject content) {
        return sendEvent(roomId, "m.room.message", content);
    }

    public String sendText(String roomId, String body) {
        return sendMessage(roomId, Json.createObjectBuilder().add("msgtype", "m.text").add("body", body).build());
    }

    public String sendNotice(String roomId, String body) {
        return sendMessage(roomId, Json.createObjectBuilder().add("msgtype", "m.notice").add("body", body).build());
    }

    /** A room event with a fresh transaction ID; the event ID. */
    public String sendEvent(String roomId, String type, JsonObject content) {
        return call("PUT", "/_matrix/client/v3/rooms/" + HomeserverClient.enc(roomId) + "/send/"
                + HomeserverClient.enc(type) + "/" + UUID.randomUUID(), content).getString("event_id");
    }

    public String sendState(String roomId, String type, String stateKey, JsonObject content) {
        return call("PUT", "/_matrix/client/v3/rooms/" + HomeserverClient.enc(roomId) + "/state/"
                + HomeserverClient.enc(type) + "/" + HomeserverClient.enc(stateKey), content).getString("event_id");
    }

    /** The content of a state event, empty when the room has none. */
    public Optional<JsonObject> state(String roomId, String type, String stateKey) {
        return optional(() -> call("GET", "/_matrix/client/v3/rooms/" + HomeserverClient.enc(roomId) + "/state/"
                + HomeserverClient.enc(type) + "/" + HomeserverClient.enc(stateKey), null));
    }

    public void setDisplayName(String name) {
        call("PUT", "/_matrix/client/v3/profile/" + HomeserverClient.enc(userId) + "/displayname",
                Json.createObjectBuilder().add("displayname", name).build());
    }

    public void setAvatarUrl(String mxc) {
        call("PUT", "/_matrix/client/v3/profile/" + HomeserverClient.enc(userId) + "/avatar_url",
                Json.createObjectBuilder().add("avatar_url", mxc).build());
    }

    /** Uploads to the media repository as this user; the {@code mxc://} URI. */
    public String upload(byte[] bytes, String contentType, String filename) {
        ensureRegistered();
        return client.upload(bytes, contentType, filename, bot ? null : userId);
    }

    public void setAccountData(String type, JsonObject content) {
        call("PUT", "/_matrix/client/v3/user/" + HomeserverClient.enc(userId) + "/account_data/"
                + HomeserverClient.enc(type), content);
    }

    public Optional<JsonObject> accountData(String type) {
        return optional(() -> call("GET", "/_matrix/client/v3/user/" + HomeserverClient.enc(userId) + "/account_data/"
                + HomeserverClient.enc(type), null));
    }

    private static Optional<JsonObject> optional(java.util.function.Supplier<JsonObject> get) {
        try {
            return Optional.of(get.get());
        } catch (MatrixException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
