package org.hearth.plugin.api;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * What a plugin may ask of the server. An extension gets it through a constructor taking a {@code Homeserver}.
 * Methods throw {@link org.hearth.spec.error.MatrixException} as the client API would (e.g. {@code M_FORBIDDEN} when
 * the room's rules refuse an event, {@code M_NOT_FOUND} for an unknown room). Users are user IDs
 * ({@code @alice:example.org}); rooms are room IDs.
 */
public interface Homeserver {
    String serverName();

    /** The plugin's own section of the homeserver config, {@code plugin_config.<pluginId>}; values are strings. */
    JsonObject config();

    /** The plugin's own storage. */
    KeyValueStore store();

    boolean roomExists(String roomId);

    /** The content of a current state event, if the room has it. */
    Optional<JsonObject> state(String roomId, String type, String stateKey);

    /** The user's membership in the room ({@code join}, {@code invite}, {@code leave}, {@code ban}, {@code knock}). */
    Optional<String> membership(String roomId, String userId);

    /** The users whose membership is {@code join}. */
    List<String> joinedMembers(String roomId);

    /** The user's power level in the room, from {@code m.room.power_levels} (or the room's defaults). */
    long powerLevel(String roomId, String userId);

    /**
     * Whether {@code userId} may send a state event of {@code type} in the room now, as the power levels say (the
     * {@code events} map, else {@code state_default}).
     */
    boolean maySendState(String roomId, String userId, String type);

    /** Sends a message event as a local user (or the plugin's bot); returns the event ID. */
    String sendEvent(String roomId, String asUser, String type, JsonObject content);

    /** Sends a state event as a local user (or the plugin's bot); returns the event ID. */
    String sendState(String roomId, String asUser, String type, String stateKey, JsonObject content);

    /** {@code inviter} invites {@code invitee}, under the room's rules. */
    void invite(String roomId, String inviter, String invitee);

    /** The local user joins the room, under the room's rules (an invite, or a public room). */
    void join(String roomId, String userId);

    /**
     * The plugin's bot user, {@code @<localpart>:<server>}, registered on first use (no password: it cannot log in).
     * The localpart must start with the plugin's ID.
     */
    String botUser(String localpart);

    Optional<JsonObject> accountData(String userId, String type);

    void setAccountData(String userId, String type, JsonObject content);

    /** Display name and avatar URL, as {@code GET /profile/{userId}} answers. */
    Optional<JsonObject> profile(String userId);

    /** The plugin's own tables (since 0.2.0). */
    default PluginDatabase database() {
        throw new UnsupportedOperationException("this server has no plugin tables");
    }

    /**
     * What the server holds of local media: {@code content_type} and {@code size}; empty for a malformed URI, an
     * unknown one, or media of another server (since 0.2.0).
     */
    default Optional<JsonObject> media(String mxcUri) {
        return Optional.empty();
    }

    /**
     * The bytes of local media of at most {@code maxBytes}; empty when unknown, of another server, or larger
     * (since 0.2.0).
     */
    default Optional<byte[]> mediaContent(String mxcUri, long maxBytes) {
        return Optional.empty();
    }

    /**
     * Creates a room as the local user (or the plugin's bot), with a request body as {@code POST /createRoom} takes
     * it; returns the room ID (since 0.2.0).
     */
    default String createRoom(String asUser, JsonObject request) {
        throw new UnsupportedOperationException("this server creates no rooms for plugins");
    }

    /** Stores media uploaded as the local user (or the plugin's bot); returns its {@code mxc://} URI (since 0.2.0). */
    default String uploadMedia(String asUser, String contentType, String fileName, byte[] content) {
        throw new UnsupportedOperationException("this server takes no media from plugins");
    }

    /**
     * Redacts an event as the local user (or the plugin's bot), under the room's rules; returns the redaction's event
     * ID (since 0.3.0).
     */
    default String redact(String roomId, String asUser, String eventId, String reason) {
        throw new UnsupportedOperationException("this server redacts nothing for plugins");
    }

    /** The room's public read receipts, one per user and thread (since 0.3.0). */
    default List<ReadReceipt> readReceipts(String roomId) {
        return List.of();
    }

    /**
     * Local users that are not deactivated and are no bots, in user ID order, after {@code afterUserId} ({@code ""}
     * for the first page), at most {@code limit} (since 0.3.0).
     */
    default List<String> localUsers(String afterUserId, int limit) {
        return List.of();
    }

    /**
     * Pushes the room event to the local user's pushers through the server's push gateway sender (queued, retried,
     * as for a notification the push rules chose), with the {@code notify} action and the default sound, whatever the
     * user's push rules say: for what a plugin decides must reach the phone, such as a missed call. The user must be
     * joined to the event's room. Returns how many pushers it was queued for (0 when the user has none)
     * (since 0.3.0).
     */
    default int pushNotification(String userId, String roomId, String eventId) {
        throw new UnsupportedOperationException("this server pushes nothing for plugins");
    }

    /**
     * Posts a receipt of an extension type (namespaced, not {@code m.*}, such as {@code org.hearth.delivered}) on the
     * event as the local user, who must be joined: unthreaded, shown to the room's members in {@code m.receipt} beside
     * {@code m.read} (clients ignore types they do not know), never clearing unread counts, never federated
     * (since 0.4.0).
     */
    default void sendReceipt(String roomId, String asUser, String receiptType, String eventId) {
        throw new UnsupportedOperationException("this server posts no receipts for plugins");
    }

    /**
     * The room a local alias ({@code #name:thisserver}) points to; empty for an unknown, malformed or remote alias
     * (since 0.5.0: a bot that takes room names from a user's message).
     */
    default Optional<String> roomIdForAlias(String alias) {
        return Optional.empty();
    }

    /**
     * The local user an OpenID token belongs to ({@code POST /user/{userId}/openid/request_token}), while it is
     * valid: how a {@link PublicRoutes} handler learns who calls it, as the federation {@code openid/userinfo}
     * endpoint answers other servers. Empty for an unknown or expired token (since 0.5.0).
     */
    default Optional<String> openIdUser(String accessToken) {
        throw new UnsupportedOperationException("this server validates no OpenID tokens for plugins");
    }

    /**
     * The user an OpenID token of {@code matrixServerName} belongs to: this server's tokens as
     * {@link #openIdUser(String)}, another server's by asking its federation {@code openid/userinfo} (the answer
     * counts only for a user of that server). Empty for an unknown token or a server that does not answer
     * (since 0.5.0).
     */
    default Optional<String> openIdUser(String matrixServerName, String accessToken) {
        return matrixServerName.equals(serverName()) ? openIdUser(accessToken) : Optional.empty();
    }
}
